// CaseLifecyclePlugin: what a department adds to its own Worker.create (and Client) to run application
// lifecycles. Built on @temporalio/plugin's SimplePlugin: it contributes the workflows, the activities and
// the encrypting data converter, and leaves connection, task queue and tuning to the department.
import { SimplePlugin } from '@temporalio/plugin';
import type { BundleOptions, WorkflowBundleOption } from '@temporalio/worker';
import type { LifecycleActivities } from '../activities';
import { AesGcmPayloadCodec, CodecKeys } from '../codec';
import { WORKFLOWS_PATH, workflowBundlerOptions, type WorkflowStackTraces } from './workflowBundle';

export { WORKFLOWS_PATH };

export interface CaseLifecyclePluginOptions {
  /** Payload encryption keys; the same keys must be given to every client of the same namespace. */
  codecKeys: CodecKeys;
  /** Activities built with createLifecycleActivities; omit on a client-only plugin. */
  activities?: LifecycleActivities;
  /** A prebuilt workflow bundle (production, tests); otherwise the workflows are bundled at start-up. */
  workflowBundle?: WorkflowBundleOption;
  /**
   * Bundled at start-up only (a prebuilt bundle carries its own choice): `off` (default) skips the per-promise
   * stack capture in the sandbox, `on` lets the stack-trace query show where each case waits (docs/performance.md).
   */
  workflowStackTraces?: WorkflowStackTraces;
}

export class CaseLifecyclePlugin extends SimplePlugin {
  private readonly stackTraces: WorkflowStackTraces;

  constructor(options: CaseLifecyclePluginOptions) {
    super({
      name: 'case-lifecycle',
      dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(options.codecKeys)] },
      ...(options.activities ? { activities: options.activities } : {}),
      ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    });
    this.stackTraces = options.workflowStackTraces ?? 'off';
  }

  override configureBundler(options: BundleOptions): BundleOptions {
    const configured = super.configureBundler(options);
    const preload = workflowBundlerOptions(this.stackTraces).preloadModules ?? [];
    return { ...configured, preloadModules: [...(configured.preloadModules ?? []), ...preload] };
  }
}
