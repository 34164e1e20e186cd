// Activities are built by a factory that receives their dependencies (pool, ЕЛК channel, services, calendar,
// renderer, notifiers), so the worker, the tests and the benchmark inject real ones.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import type { ProductionCalendar } from '../calendar';
import type { CodecKeys } from '../codec';
import type { WorkingHours } from '../calendar';
import { createEscalationActivities } from '../escalation';
import type { Directory } from '../escalation';
import type { Notifier } from '../escalation';
import type { RefusalRenderer } from '../refusal';
import { createComplianceReportActivities } from '../reports';
import type { ServiceRegistry } from '../services';
import { UNKNOWN_SERVICE, type ElkDeliveryRequest, type ElkDeliveryResult } from '../shared';
import type { ServiceProfile } from '../services';
import { createAdmissionActivities } from './admission';
import { createCaseRecordActivities, markCaseOverdue } from './caseRecords';
import { createDeadlineActivities } from './deadlines';
import { createElkDeliveryActivities, ElkChannel } from './elkDelivery';
import { createRecordWithDeadlineActivities } from './recordWithDeadline';
import { createRefusalActivities } from './refusalLetters';
import { createResultDocumentActivities } from './resultDocuments';
import { createFeedbackActivities } from '../feedback';
import { createFeedbackTexts } from '../feedback';
import type { MkguClient } from '../feedback';
import { createRatingIntake } from '../feedback';
import type { FeedbackInput, FeedbackStarter, RoutedRating } from '../feedback';
import { NO_SMSC, type SmsGateway } from '../feedback';
import type { EmailGateway } from '../feedback';

export interface LifecycleDependencies {
  pool: Pool;
  services: ServiceRegistry;
  elk: ElkChannel;
  calendar: ProductionCalendar;
  /** The department's IANA zone: deadlines, letter dates and reminders are in local time. */
  timeZone: string;
  workingHours?: WorkingHours;
  refusalRenderer: RefusalRenderer;
  /** The payload keys; refusal letters are sealed with them in PostgreSQL. */
  letterKeys: CodecKeys;
  directory: Directory;
  notifiers: Notifier[];
  /** Base URL of the case in the department's system, used in task links. */
  caseLinkBase: string;
  /** Longest pause between two delivery attempts while the portal is down. */
  elkRetryMaxIntervalMs?: number;
  /** false when the cluster has no case search attributes registered (default true). */
  searchAttributes?: boolean;
  /** How long one delivery attempt waits for the adapter's asynchronous reply. */
  elkReplyWaitMs?: number;
  /** Weekly compliance report: department id (file names), its display name and the output folder. */
  reports: { department: string; departmentName?: string; outputDir: string };
  /**
   * Satisfaction loop (feedback/): every lifecycle starts a feedback workflow at closure, so its activities are
   * always registered; without a rating system or SMSC they record and send nothing.
   */
  feedback?: {
    mkgu?: MkguClient | null;
    sms?: SmsGateway;
    /** The relay for answers to applicants by e-mail (FEEDBACK_SMTP_URL). */
    email?: EmailGateway | null;
    department?: { inn: string; officeName?: string };
    criticalThreshold?: number;
    routeRating?: (rating: RoutedRating & { applicationNumber: string; serviceCode: string }) => Promise<void>;
    /** Starts a closed case's feedback workflow through the client; without it the lifecycle starts a child. */
    startFeedback?: FeedbackStarter;
  };
}

export function createLifecycleActivities(deps: LifecycleDependencies) {
  const elkRetryMaxIntervalMs = deps.elkRetryMaxIntervalMs ?? 60_000;
  const records = createCaseRecordActivities(deps.pool);
  const deadlines = createDeadlineActivities({ services: deps.services, calendar: deps.calendar, timeZone: deps.timeZone, hours: deps.workingHours });
  async function loadServiceProfile(serviceCode: string): Promise<ServiceProfile> {
    const profile = deps.services.profile(serviceCode, elkRetryMaxIntervalMs, deps.searchAttributes ?? true);
    if (!profile) {
      throw ApplicationFailure.create({
        type: UNKNOWN_SERVICE,
        message: `Неизвестный код услуги (unknown service code): serviceCode. Известные: ${deps.services.codes().join(', ')}`,
        nonRetryable: true,
      });
    }
    return profile;
  }
  /** false: this worker has no client to start it with; the workflow then starts it as a child workflow. */
  async function startFeedback(args: FeedbackInput): Promise<boolean> {
    if (!deps.feedback?.startFeedback) return false;
    await deps.feedback.startFeedback(args, Context.current().info.taskQueue);
    return true;
  }
  const elkDelivery = createElkDeliveryActivities(deps.pool, deps.elk, { replyWaitMs: deps.elkReplyWaitMs ?? 20_000, keys: deps.letterKeys });
  return {
    loadServiceProfile,
    ...elkDelivery,
    /**
     * One status to the cabinet. The closing status of a compact case carries `askForFeedback`: once it is
     * delivered, the applicant's feedback workflow is started here (one marker fewer than a local activity
     * after it). A retry finds the status delivered and the feedback run started: both idempotent.
     */
    async pushStatusToElk(req: ElkDeliveryRequest & { askForFeedback?: FeedbackInput }): Promise<ElkDeliveryResult & { feedbackStarted?: boolean }> {
      const { askForFeedback, ...status } = req;
      const delivered = await elkDelivery.pushStatusToElk(status);
      return askForFeedback && (await startFeedback(askForFeedback)) ? { ...delivered, feedbackStarted: true } : delivered;
    },
    startApplicantFeedback: startFeedback,
    ...createAdmissionActivities({ loadServiceProfile, computeStageDeadline: deadlines.computeStageDeadline, recordCaseEvent: records.recordCaseEvent, computeDeadline: deadlines.computeDeadline }),
    ...createRecordWithDeadlineActivities({ recordCaseEvent: records.recordCaseEvent, computeDeadline: deadlines.computeDeadline }),
    ...records,
    ...deadlines,
    ...createRefusalActivities({ pool: deps.pool, renderer: deps.refusalRenderer, timeZone: deps.timeZone, keys: deps.letterKeys }),
    ...createResultDocumentActivities({ pool: deps.pool, keys: deps.letterKeys }),
    ...createEscalationActivities({ pool: deps.pool, directory: deps.directory, notifiers: deps.notifiers, caseLinkBase: deps.caseLinkBase, timeZone: deps.timeZone, markCaseOverdue }),
    // The weekly report's Schedule starts a workflow of this plugin: its activities belong to the same set.
    ...createComplianceReportActivities({
      pool: deps.pool,
      calendar: deps.calendar,
      timeZone: deps.timeZone,
      ...deps.reports,
      serviceTitles: Object.fromEntries(deps.services.codes().map((c) => [c, deps.services.get(c)!.title])),
    }),
    ...createFeedbackActivities({
      pool: deps.pool,
      keys: deps.letterKeys,
      mkgu: deps.feedback?.mkgu ?? null,
      sms: deps.feedback?.sms ?? NO_SMSC,
      email: deps.feedback?.email ?? null,
      // The answer to a critical review reaches the cabinet through the same outbox and delivery as statuses.
      cabinet: elkDelivery.pushStatusToElk,
      calendar: deps.calendar,
      timeZone: deps.timeZone,
      services: deps.services,
      directory: deps.directory,
      texts: createFeedbackTexts(),
      department: deps.feedback?.department ?? { inn: '' },
      intake: createRatingIntake({ pool: deps.pool, keys: deps.letterKeys, criticalThreshold: deps.feedback?.criticalThreshold }),
      ...(deps.feedback?.routeRating ? { routeRating: deps.feedback.routeRating } : {}),
    }),
  };
}

export type LifecycleActivities = ReturnType<typeof createLifecycleActivities>;

export { markCaseOverdue } from './caseRecords';
export { createElkChannel, type DepartmentIdentity } from './elkChannel';
export { elkClientId, withoutQuotedValues, type ElkChannel } from './elkDelivery';
export { CALENDAR_COVERAGE, type ClockLedger, type DeadlineComputation } from './deadlines';
export { createAdmissionActivities, type Admission, type AdmissionRequest } from './admission';
export { createRecordWithDeadlineActivities, type RecordWithDeadlineRequest } from './recordWithDeadline';
export { readRefusalLetters, type PrepareRefusalInput, type RefusalDraft, type StoredRefusalLetter } from './refusalLetters';
