// ЕЛК delivery: the case's statuses go to the applicant's cabinet one at a time, in the order they were queued,
// without blocking the clerk. A business rejection by the portal opens a task for the clerk, who retries or
// skips that status; the statuses after it wait. Faults of the infrastructure retry without limit.
import { condition, proxyActivities } from '@temporalio/workflow';
import type { LifecycleActivities } from '../../activities';
import { ELK_BUSINESS_REJECTION } from '../../shared/lifecycle';
import type { ServiceProfile } from '../../services';
import { STAGE_TITLES_RU } from '../../shared/stages';
import type { CaseState } from './caseState';
import { feedbackRequest } from './closure';
import { activityFailureOfType } from './failures';

// Nested time-outs (docs/reliability.md, "Recovery bounds"): the adapter's HTTP timeout (8 s) < heartbeat timeout (10 s) <
// start-to-close; long activities heartbeat every 2 s during each call, so a dead worker's attempt is retried
// after at most the heartbeat timeout and a slow but live one is never overlapped by a retry.
export const HEARTBEAT_TIMEOUT = '10 seconds';

function elkActivities(profile: ServiceProfile) {
  return proxyActivities<LifecycleActivities>({
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    // Infrastructure faults retry without limit (SMEV rules); content and business errors do not.
    retry: {
      initialInterval: '500 ms',
      backoffCoefficient: 2,
      maximumInterval: profile.elkRetryMaxIntervalMs,
      nonRetryableErrorTypes: [ELK_BUSINESS_REJECTION],
    },
  });
}

/** Runs until the case is closed and every queued status is delivered or skipped. */
export async function deliverStatusesToElk(state: CaseState, loaded: ServiceProfile): Promise<void> {
  const { input, elkItems } = state;
  const elk = elkActivities(loaded);
  for (;;) {
    await condition(() => state.elkDelivered < elkItems.length || (state.closed && state.elkDelivered === elkItems.length));
    if (state.elkDelivered === elkItems.length) return; // terminal and drained
    const item = elkItems[state.elkDelivered];
    // Compact cases: the closing status, once in the cabinet, starts the feedback workflow in the same activity
    // (the applicant is asked only after seeing the result; one local activity fewer at closure).
    const askForFeedback = state.compact && state.closed && state.elkDelivered === elkItems.length - 1 ? feedbackRequest(state) : undefined;
    try {
      const delivered = await elk.pushStatusToElk({
        applicationNumber: input.applicationNumber,
        seq: item.seq,
        stage: item.stage,
        elkStatus: item.elkStatus,
        statusDate: item.statusDate,
        requestType: item.requestType,
        serviceTargetCode: loaded.serviceTargetCode,
        channel: input.channel,
        receivedAt: input.receivedAt,
        applicant: input.applicant,
        ...(input.officeName ? { officeName: input.officeName } : {}),
        ...(item.attachment ? { attachment: item.attachment } : {}),
        generation: item.generation,
        serviceCode: input.serviceCode,
        ...(input.epgu ? { epgu: input.epgu } : {}),
        ...(askForFeedback ? { askForFeedback } : {}),
      });
      if (delivered?.feedbackStarted) state.feedbackStartedWithDelivery = true;
      item.state = 'delivered';
      state.elkDelivered++;
    } catch (err) {
      const failure = activityFailureOfType(err, ELK_BUSINESS_REJECTION);
      if (!failure) throw err;
      const [detail] = (failure.details ?? []) as [{ code: number | string; message: string } | undefined];
      const taskKey = `elk-delivery:${input.applicationNumber}:${item.seq}:${state.history.length}`;
      const problem = { seq: item.seq, code: detail?.code ?? 'unknown', message: detail?.message ?? failure.message, taskKey };
      state.deliveryProblem = problem;
      state.problemResolution = null;
      await state.records.openClerkTask({
        taskKey,
        applicationNumber: input.applicationNumber,
        kind: 'elkDeliveryProblem',
        assigneeRole: 'clerk',
        assignee: state.assignedClerk,
        title: `ЕЛК отклонил статус ${item.elkStatus} по заявлению ${input.applicationNumber}`,
        body:
          `Статус «${STAGE_TITLES_RU[item.stage]}» (код ЕЛК ${item.elkStatus}) не принят личным кабинетом ЕПГУ: ` +
          `код ответа ${problem.code}, «${problem.message}». Исправьте данные и повторите передачу ` +
          `или пропустите этот статус. Следующие статусы ждут разбора, работа с делом не блокируется.`,
        dueAt: null,
      });
      await condition(() => state.problemResolution !== null);
      await state.records.closeClerkTask({ taskKey, resolution: state.problemResolution! });
      if (state.problemResolution === 'retry') item.generation++;
      if (state.problemResolution === 'skip') {
        await state.records.markElkStatusSkipped({ applicationNumber: input.applicationNumber, seq: item.seq });
        item.state = 'skipped';
        state.elkDelivered++;
      }
      state.deliveryProblem = null;
      state.problemResolution = null;
    }
  }
}
