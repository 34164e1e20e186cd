// The case system's side: start applications, send clerk actions and portal callbacks, read state.
// Every input is validated here first (zod), so a bad application is refused before anything starts.
import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { CodecKeys } from '../codec/payloadCodec';
import type { ServiceRegistry } from '../services/registry';
import { ApplicationInput, ApplicationInputSchema, receivedAtProblem } from '../shared/application';
import { ApplicantCancelledSchema, ApplicantRespondedSchema, ClerkActionArgs, ClerkActionName, ClerkActionSchemas } from '../shared/clerkActions';
import type { CaseEvent, CaseSnapshot, LifecycleResult } from '../shared/lifecycle';
import { DEFAULT_TASK_QUEUE, SA } from '../shared/names';
import { InputValidationError, parseOrThrow } from '../shared/validation';
import { CaseLifecyclePlugin } from '../worker/plugin';
import {
  applicantCancelledSignal,
  applicantRespondedSignal,
  applicationLifecycle,
  clerkActionUpdates,
  deadlineQuery,
  historyQuery,
  stateQuery,
} from '../workflows/applicationLifecycle';

export interface CaseClientOptions {
  client: Client;
  services: ServiceRegistry;
  taskQueue?: string;
  /** false when the cluster has no case search attributes registered (default true). */
  searchAttributes?: boolean;
  /** The case system's clock (ms since epoch); receipt must not lie in its future. Default: Date.now. */
  now?: () => number;
}

/** A clerk action the workflow refused (illegal in the current stage, or bad arguments). */
export class ClerkActionRejectedError extends Error {
  override readonly name = 'ClerkActionRejectedError';
}

export class CaseClient {
  readonly client: Client;
  private readonly services: ServiceRegistry;
  private readonly taskQueue: string;
  private readonly searchAttributes: boolean;
  private readonly now: () => number;

  constructor(options: CaseClientOptions) {
    this.client = options.client;
    this.services = options.services;
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
    this.searchAttributes = options.searchAttributes ?? true;
    this.now = options.now ?? Date.now;
  }

  static async connect(opts: { address: string; namespace?: string; codecKeys: CodecKeys; services: ServiceRegistry; taskQueue?: string }): Promise<CaseClient> {
    const connection = await Connection.connect({ address: opts.address });
    const client = new Client({ connection, namespace: opts.namespace ?? 'default', plugins: [new CaseLifecyclePlugin({ codecKeys: opts.codecKeys })] });
    return new CaseClient({ client, services: opts.services, taskQueue: opts.taskQueue });
  }

  validateApplication(input: unknown): ApplicationInput {
    const app = parseOrThrow(ApplicationInputSchema, input, 'Заявление отклонено (application rejected)');
    const future = receivedAtProblem(app.receivedAt, this.now());
    if (future) throw new InputValidationError('Заявление отклонено (application rejected)', [future]);
    if (!this.services.has(app.serviceCode)) {
      throw new InputValidationError('Заявление отклонено (application rejected)', [
        { field: 'serviceCode', rule: `неизвестный код услуги; известные: ${this.services.codes().join(', ')} (unknown service code)` },
      ]);
    }
    return app;
  }

  /**
   * Starts the lifecycle of one application. The same application number started twice is joined, never
   * doubled: the second call returns `started: false`. A number whose case has finished cannot be reused.
   */
  async startApplication(input: unknown): Promise<{ applicationNumber: string; started: boolean }> {
    const app = this.validateApplication(input);
    try {
      await this.client.workflow.start(applicationLifecycle, {
        workflowId: app.applicationNumber,
        taskQueue: this.taskQueue,
        args: [app],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: !this.searchAttributes ? [] : [
          { key: SA.serviceCode, value: app.serviceCode },
          { key: SA.stage, value: 'received' },
          ...(app.assignedClerk ? [{ key: SA.assignedClerk, value: app.assignedClerk }] : []),
        ],
      });
      return { applicationNumber: app.applicationNumber, started: true };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return { applicationNumber: app.applicationNumber, started: false };
      throw err;
    }
  }

  async act<A extends ClerkActionName>(applicationNumber: string, action: A, args: ClerkActionArgs<A>): Promise<CaseSnapshot> {
    const parsed = parseOrThrow(ClerkActionSchemas[action], args, `Действие ${action} отклонено (action rejected)`);
    try {
      return await this.client.workflow.getHandle(applicationNumber).executeUpdate(clerkActionUpdates[action] as never, { args: [parsed] as never });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new ClerkActionRejectedError(err.cause?.message ?? err.message);
      throw err;
    }
  }

  async applicantResponded(applicationNumber: string, args: { note?: string; documents?: string[] } = {}): Promise<void> {
    const parsed = parseOrThrow(ApplicantRespondedSchema, args, 'applicantResponded');
    await this.client.workflow.getHandle(applicationNumber).signal(applicantRespondedSignal, parsed);
  }

  async applicantCancelled(applicationNumber: string, args: { reason?: string } = {}): Promise<void> {
    const parsed = parseOrThrow(ApplicantCancelledSchema, args, 'applicantCancelled');
    await this.client.workflow.getHandle(applicationNumber).signal(applicantCancelledSignal, parsed);
  }

  state(applicationNumber: string): Promise<CaseSnapshot> {
    return this.client.workflow.getHandle(applicationNumber).query(stateQuery);
  }

  history(applicationNumber: string): Promise<CaseEvent[]> {
    return this.client.workflow.getHandle(applicationNumber).query(historyQuery);
  }

  deadline(applicationNumber: string): Promise<string | null> {
    return this.client.workflow.getHandle(applicationNumber).query(deadlineQuery);
  }

  result(applicationNumber: string): Promise<LifecycleResult> {
    return this.client.workflow.getHandle(applicationNumber).result();
  }

  /** Lists cases with a Temporal visibility query, e.g. `CaseStage = "underReview" AND AssignedClerk = "ivanova"`. */
  async list(query: string): Promise<{ applicationNumber: string; stage?: string; clerk?: string; deadline?: Date }[]> {
    const out: { applicationNumber: string; stage?: string; clerk?: string; deadline?: Date }[] = [];
    for await (const wf of this.client.workflow.list({ query })) {
      out.push({
        applicationNumber: wf.workflowId,
        stage: wf.typedSearchAttributes.get(SA.stage),
        clerk: wf.typedSearchAttributes.get(SA.assignedClerk),
        deadline: wf.typedSearchAttributes.get(SA.deadline),
      });
    }
    return out;
  }
}
