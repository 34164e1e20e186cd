// The case system's side: start applications, send clerk actions and portal callbacks, read state.
// Every input is validated here first (zod), so a bad application is refused before anything starts.
// Every start and clerk action carries a request id (the caller's, or one made here): a clerk action's id is
// its Temporal Update id, so a retry after a timeout gets the first result and never acts twice; a start is
// keyed by the application number (workflow id, never reused). Transient faults (server unavailable, RPC deadline) are retried here, bounded.
// This package stands alone: it imports no worker/ code and reaches other rooms only through their public entries
// (shared/, codec/, services/, and workflows/ for the message definitions); a case system needs only the payload keys.
import { randomUUID } from 'node:crypto';
import {
  Client,
  Connection,
  isGrpcServiceError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { AesGcmPayloadCodec, CodecKeys } from '../codec';
import type { ServiceRegistry } from '../services';
import {
  ApplicantCancelledSchema,
  ApplicantRespondedSchema,
  ApplicationInput,
  ApplicationInputSchema,
  ClerkActionArgs,
  COMPACT_HISTORY,
  ClerkActionName,
  ClerkActionSchemas,
  DEFAULT_TASK_QUEUE,
  InputValidationError,
  parseOrThrow,
  receivedAtProblem,
  SA,
  type CaseEvent,
  type CaseSnapshot,
  type LifecycleResult,
  type RefusalDraft,
} from '../shared';
import {
  applicantCancelledSignal,
  applicantRespondedSignal,
  applicationLifecycle,
  clerkActionUpdates,
  deadlineQuery,
  historyQuery,
  refusalDraftQuery,
  stateQuery,
} from '../workflows';

export interface CaseClientRetry {
  /** Attempts in all, the first included (default 5). */
  attempts: number;
  /** Pause before the second attempt, doubled each time up to maxDelayMs (defaults 250 / 4000 ms). */
  initialDelayMs: number;
  maxDelayMs: number;
  /** gRPC deadline of one attempt of a clerk action (default 30 s): the server keeps the Update if it passes. */
  attemptTimeoutMs: number;
}

export const DEFAULT_RETRY: CaseClientRetry = { attempts: 5, initialDelayMs: 250, maxDelayMs: 4000, attemptTimeoutMs: 30_000 };

/** How a call ended: its request id (retry with it to get the same result) and how many attempts it took. */
export interface CallOutcome<T> {
  result: T;
  requestId: string;
  attempts: number;
}

/** Every attempt met a transient fault; the request id is safe to retry with later. */
export class TransientCaseError extends Error {
  override readonly name = 'TransientCaseError';
  constructor(
    readonly operation: string,
    readonly requestId: string,
    readonly attempts: number,
    readonly lastError: Error,
  ) {
    super(`${operation}: сервер Temporal временно недоступен после ${attempts} попыток, повторите с тем же идентификатором запроса ${requestId} (transient: ${lastError.name})`);
  }
}

// gRPC status codes: CANCELLED 1, DEADLINE_EXCEEDED 4, RESOURCE_EXHAUSTED 8, ABORTED 10, UNAVAILABLE 14.
const TRANSIENT_CODES = new Set<number>([1, 4, 8, 10, 14]);

/** Faults after which the same request may succeed: the server was unreachable, busy, or the RPC timed out. */
export function isTransient(err: unknown): boolean {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  if (isGrpcServiceError(err)) return TRANSIENT_CODES.has(err.code);
  if (err instanceof ServiceError) return isTransient(err.cause);
  return false;
}

export function clientCodecOptions(codecKeys: CodecKeys) {
  return { dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(codecKeys)] } };
}

export interface CaseClientOptions {
  client: Client;
  services: ServiceRegistry;
  taskQueue?: string;
  /** false when the cluster has no case search attributes registered (default true). */
  searchAttributes?: boolean;
  /** The case system's clock (ms since epoch); receipt must not lie in its future. Default: Date.now. */
  now?: () => number;
  retry?: Partial<CaseClientRetry>;
  /** Pause between attempts (tests may count them). */
  sleep?: (ms: number) => Promise<void>;
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
  private readonly retry: CaseClientRetry;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: CaseClientOptions) {
    this.client = options.client;
    this.services = options.services;
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
    this.searchAttributes = options.searchAttributes ?? true;
    this.now = options.now ?? Date.now;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  static async connect(opts: { address: string; namespace?: string; codecKeys: CodecKeys; services: ServiceRegistry; taskQueue?: string; retry?: Partial<CaseClientRetry> }): Promise<CaseClient> {
    const connection = await Connection.connect({ address: opts.address });
    const client = new Client({ connection, namespace: opts.namespace ?? 'default', ...clientCodecOptions(opts.codecKeys) });
    return new CaseClient({ client, services: opts.services, taskQueue: opts.taskQueue, retry: opts.retry });
  }

  /** Runs `attempt` until it succeeds, fails for good, or the bounded transient retries run out. */
  private async withRetry<T>(operation: string, requestId: string, attempt: () => Promise<T>): Promise<CallOutcome<T>> {
    let delay = this.retry.initialDelayMs;
    for (let n = 1; ; n++) {
      try {
        return { result: await attempt(), requestId, attempts: n };
      } catch (err) {
        if (!isTransient(err)) throw err;
        if (n >= this.retry.attempts) throw new TransientCaseError(operation, requestId, n, err as Error);
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.retry.maxDelayMs);
      }
    }
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
   * doubled: the second call returns `started: false`. When an attempt of this call failed transiently and the
   * next finds the case running, that earlier attempt reached the server: the call reports `started: true`.
   * (The HTTP API keeps each request's first answer, so a caller's retry with the same key gets it verbatim.)
   * A number whose case has finished cannot be reused.
   */
  async startApplication(input: unknown, opts: { requestId?: string } = {}): Promise<{ applicationNumber: string; started: boolean }> {
    return (await this.startApplicationWithOutcome(input, opts)).result;
  }

  async startApplicationWithOutcome(input: unknown, opts: { requestId?: string } = {}): Promise<CallOutcome<{ applicationNumber: string; started: boolean }>> {
    const app = this.validateApplication(input);
    const requestId = opts.requestId ?? randomUUID();
    let attempted = false;
    return this.withRetry('startApplication', requestId, async () => {
      const earlierAttempt = attempted;
      attempted = true;
      try {
        await this.client.workflow.start(applicationLifecycle, {
          workflowId: app.applicationNumber,
          taskQueue: this.taskQueue,
          // Compact history (shared/lifecycle.ts): the stage lives in the applications projection, not in CaseStage.
          args: [app, { historyShape: COMPACT_HISTORY }],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          typedSearchAttributes: !this.searchAttributes ? [] : [
            { key: SA.serviceCode, value: app.serviceCode },
            ...(app.assignedClerk ? [{ key: SA.assignedClerk, value: app.assignedClerk }] : []),
          ],
        });
        return { applicationNumber: app.applicationNumber, started: true };
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        return { applicationNumber: app.applicationNumber, started: earlierAttempt };
      }
    });
  }

  /**
   * One clerk action as a Workflow Update whose id is the request id: sent again with the same id (by the
   * retries here, or by the caller after a timeout) it returns the first result and changes the case once.
   */
  async act<A extends ClerkActionName>(applicationNumber: string, action: A, args: ClerkActionArgs<A>, opts: { requestId?: string } = {}): Promise<CaseSnapshot> {
    return (await this.actWithOutcome(applicationNumber, action, args, opts)).result;
  }

  async actWithOutcome<A extends ClerkActionName>(applicationNumber: string, action: A, args: ClerkActionArgs<A>, opts: { requestId?: string } = {}): Promise<CallOutcome<CaseSnapshot>> {
    const parsed = parseOrThrow(ClerkActionSchemas[action], args, `Действие ${action} отклонено (action rejected)`);
    const requestId = opts.requestId ?? randomUUID();
    return this.withRetry(action, requestId, async () => {
      try {
        return await this.client.withDeadline(Date.now() + this.retry.attemptTimeoutMs, () =>
          this.client.workflow.getHandle(applicationNumber).executeUpdate(clerkActionUpdates[action] as never, { args: [parsed] as never, updateId: requestId }),
        );
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) throw new ClerkActionRejectedError(err.cause?.message ?? err.message);
        throw err;
      }
    });
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

  /**
   * Who the case is assigned to, from the server's record of the case (search attribute), not a Query: it
   * answers even while no worker runs, so authorization never waits on the worker.
   */
  async assignedClerk(applicationNumber: string): Promise<string | null> {
    if (!this.searchAttributes) return (await this.state(applicationNumber)).assignedClerk;
    const described = await this.client.workflow.getHandle(applicationNumber).describe();
    return described.typedSearchAttributes.get(SA.assignedClerk) ?? null;
  }

  refusalDraft(applicationNumber: string): Promise<RefusalDraft | null> {
    return this.client.workflow.getHandle(applicationNumber).query(refusalDraftQuery);
  }

  result(applicationNumber: string): Promise<LifecycleResult> {
    return this.client.workflow.getHandle(applicationNumber).result();
  }

  /**
   * Lists cases with a Temporal visibility query, e.g. `AssignedClerk = "ivanova"`. Cases started after the
   * CaseStage upserts were dropped carry no stage in visibility: list by stage with `listCases` (cases/) or `GET /cases`.
   */
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
