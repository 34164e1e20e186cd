// Activities are built by a factory that receives their dependencies (pool, ЕЛК channel, services, clock),
// so the worker, the tests and the benchmark inject real ones.
import { ApplicationFailure } from '@temporalio/activity';
import type { Pool } from 'pg';
import type { ServiceRegistry } from '../services/registry';
import { UNKNOWN_SERVICE } from '../shared/lifecycle';
import type { ServiceProfile } from '../shared/serviceProfile';
import { createCaseRecordActivities } from './caseRecords';
import { createElkDeliveryActivities, ElkChannel } from './elkDelivery';

export interface LifecycleDependencies {
  pool: Pool;
  services: ServiceRegistry;
  elk: ElkChannel;
  /** Longest pause between two delivery attempts while the portal is down. */
  elkRetryMaxIntervalMs?: number;
  /** How long one delivery attempt waits for the adapter's asynchronous reply. */
  elkReplyWaitMs?: number;
}

export function createLifecycleActivities(deps: LifecycleDependencies) {
  const elkRetryMaxIntervalMs = deps.elkRetryMaxIntervalMs ?? 60_000;
  return {
    async loadServiceProfile(serviceCode: string): Promise<ServiceProfile> {
      const profile = deps.services.profile(serviceCode, elkRetryMaxIntervalMs);
      if (!profile) {
        throw ApplicationFailure.create({
          type: UNKNOWN_SERVICE,
          message: `Неизвестный код услуги (unknown service code): serviceCode. Известные: ${deps.services.codes().join(', ')}`,
          nonRetryable: true,
        });
      }
      return profile;
    },
    ...createCaseRecordActivities(deps.pool),
    ...createElkDeliveryActivities(deps.pool, deps.elk, { replyWaitMs: deps.elkReplyWaitMs ?? 20_000 }),
  };
}

export type LifecycleActivities = ReturnType<typeof createLifecycleActivities>;
