// CaseLifecyclePlugin: what a department adds to its own Worker.create (and Client) to run application
// lifecycles. Built on @temporalio/plugin's SimplePlugin: it contributes the workflows, the activities and
// the encrypting data converter, and leaves connection, task queue and tuning to the department.
import { SimplePlugin } from '@temporalio/plugin';
import type { WorkflowBundleOption } from '@temporalio/worker';
import type { LifecycleActivities } from '../activities';
import { AesGcmPayloadCodec, CodecKeys } from '../codec';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface CaseLifecyclePluginOptions {
  /** Payload encryption keys; the same keys must be given to every client of the same namespace. */
  codecKeys: CodecKeys;
  /** Activities built with createLifecycleActivities; omit on a client-only plugin. */
  activities?: LifecycleActivities;
  /** A prebuilt workflow bundle (production, tests); otherwise the workflows are bundled at start-up. */
  workflowBundle?: WorkflowBundleOption;
}

export class CaseLifecyclePlugin extends SimplePlugin {
  constructor(options: CaseLifecyclePluginOptions) {
    super({
      name: 'case-lifecycle',
      dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(options.codecKeys)] },
      ...(options.activities ? { activities: options.activities } : {}),
      ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    });
  }
}
