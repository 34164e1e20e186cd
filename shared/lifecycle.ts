// Types exchanged between the lifecycle workflow, its activities and the case system's client.
import type { Applicant, Channel } from './application';
import type { Stage } from './stages';

export interface CaseEvent {
  seq: number;
  stage: Stage;
  action: string;
  actor: string;
  at: string;
  note?: string;
}

export type ElkItemState = 'pending' | 'delivered' | 'skipped';

/**
 * The file that goes with a status. Earlier versions recorded {fsUuid, docTypeId} with fsUuid = the refusal
 * letter's id; those histories still replay and are delivered as refusal letters.
 */
export type ElkAttachmentRef =
  | { kind: 'refusalLetter'; letterId: string; docTypeId: string }
  | { kind: 'resultDocument'; documentId: string; sha256: string; docTypeId: string }
  | { kind?: undefined; fsUuid: string; docTypeId: string };

export type ElkRequestType = 'CreateOrdersRequest' | 'UpdateOrdersRequest';

/** One ЕЛК status of a case: what the workflow queues and what the delivery activity sends. */
export interface ElkStatusMessage {
  seq: number;
  stage: Stage;
  elkStatus: number;
  statusDate: string;
  requestType: ElkRequestType;
  /** The document that goes with the status (refusal letter, result document). */
  attachment?: ElkAttachmentRef;
}

/** A queued status in the workflow's state (and in its query results). */
export interface ElkStatusItem extends ElkStatusMessage {
  state: ElkItemState;
  /** Resends requested by the clerk after a rejection; part of the message's idempotency key. */
  generation: number;
}

export interface ElkDeliveryProblem {
  seq: number;
  code: number | string;
  message: string;
  taskKey: string;
}

export interface CaseSnapshot {
  applicationNumber: string;
  serviceCode: string;
  stage: Stage;
  assignedClerk: string | null;
  deadline: string | null;
  overdue: boolean;
  suspended: boolean;
  history: CaseEvent[];
  elk: { items: ElkStatusItem[]; delivered: number; problem: ElkDeliveryProblem | null };
}

/**
 * How a run records its history, chosen by whoever starts it (the second workflow argument) and so fixed by the
 * start event: new cases are started compact, cases started before it (one argument) replay as they ran.
 * Versioning by input, not by patched(): a patch marker costs two events per case (the marker and the
 * TemporalChangeVersion upsert). The rule it brings: upgrade workers before the clients that start cases.
 */
export const COMPACT_HISTORY = 'compact-2026-12';
export interface LifecycleRunOptions {
  historyShape?: typeof COMPACT_HISTORY;
}

/** The note of a "deadline" case event: the same words whether the workflow or a record activity writes it. */
export function deadlineEventNote(computed: { deadline: string | null; dueDate: string | null } | null): string {
  if (!computed) return 'срок будет рассчитан после обновления производственного календаря';
  return computed.deadline ? `срок: ${computed.dueDate}` : 'срок приостановлен';
}

export interface LifecycleResult {
  applicationNumber: string;
  outcome: Stage;
  elkStatusesDelivered: number;
  elkStatusesSkipped: number;
}

/** Everything pushStatusToElk needs to build one ЕЛК message. Carries PII: only ever inside encrypted payloads. */
export interface ElkDeliveryRequest extends ElkStatusMessage {
  applicationNumber: string;
  serviceTargetCode: string;
  channel: Channel;
  receivedAt: string;
  applicant: Applicant;
  officeName?: string;
  /** How many times the clerk asked to resend this status after a rejection (0 at first). */
  generation?: number;
  /** Chooses the department's payload builder for statuses answered to ЕПГУ. */
  serviceCode?: string;
  /** Filed on ЕПГУ: the status goes back as a response to this request instead of a ЕЛК order. */
  epgu?: { orderId: string; requestClientId: string };
  /**
   * Text for the cabinet (ЕЛК 1.0.2 has no free-text comment): a template mnemonic of ЕСНСИ «ЕЛК.Шаблоны
   * уведомлений» and its Param values. Used by the answer to a critical review (feedback/).
   */
  messageType?: string;
  params?: { name: string; value: string }[];
}

/** ЕЛК order message, or a response to ЕПГУ's own request (applications filed on ЕПГУ). */
export type ElkRoute = 'elk' | 'epguReply';

/** pushStatusToElk's result, as the workflow's history records it. */
export interface ElkDeliveryResult {
  clientId: string;
  replyCode: number;
  elkOrderNumber?: string;
  alreadyDelivered: boolean;
  /** SMEV file storage id of the attachment sent with the status. */
  fsUuid?: string;
  route?: ElkRoute;
}

export interface CaseEventRecord {
  applicationNumber: string;
  serviceCode: string;
  channel: Channel;
  receivedAt: string;
  event: CaseEvent;
  assignedClerk: string | null;
  deadline: string | null;
  dueDate: string | null;
  registeredAt: string | null;
  overdue: boolean;
  outcome: Stage | null;
}


/** The refusal letter the clerk previews (the workflow's refusalDraft query); the letter itself is stored sealed. */
export interface RefusalDraft {
  letterId: string;
  version: number;
  contentHash: string;
  templateVersion: string;
  groundCodes: string[];
  /** Plain-text rendition for the clerk's preview. */
  text: string;
}

/** Failure type of input that breaks the schema (workflow start, admission activity). */
export const INPUT_VALIDATION_ERROR = 'InputValidationError';
export const ELK_BUSINESS_REJECTION = 'ElkBusinessRejection';
export const UNKNOWN_SERVICE = 'UnknownService';
export const REFUSAL_VALIDATION_ERROR = 'RefusalValidationError';
/** issueResult referenced a result document that is not stored for the case. */
export const RESULT_DOCUMENT_MISSING = 'ResultDocumentMissing';
