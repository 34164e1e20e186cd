// ЕПГУ callbacks arrive as Signals: the applicant answered a request, or withdrew the application. The portal
// repeats and delays them, so one that does not fit the stage changes nothing.
import { condition, log, setHandler } from '@temporalio/workflow';
import { ApplicantCancelledGuard, ApplicantRespondedGuard, CANCELLABLE_STAGES } from '../../shared/clerkActionRules';
import { DEFAULT_ELK_STATUS_ON_APPLICANT_RESPONSE } from '../../shared/elkStatusMapping';
import { check } from '../../shared/guards';
import type { CaseState } from './caseState';
import { applicantCancelledSignal, applicantRespondedSignal } from './messages';

/**
 * Patch id: the applicant's answer to a request queues a status (review resumed), so the cabinet stops showing
 * «требует исправления». Cases that received the answer before this change replay without that status.
 */
export const STATUS_ON_APPLICANT_RESPONSE_PATCH = 'elk-status-on-applicant-response';

// Applied synchronously once the profile is known, so a clerk's Update that follows the portal's callback
// in the same activation already sees the new stage.
export function handleApplicantCallbacks(state: CaseState): void {
  setHandler(applicantRespondedSignal, async (raw) => {
    if (!state.profile) await condition(() => state.profile !== null);
    const args = check(ApplicantRespondedGuard, raw ?? {});
    if (!args.ok || state.stage !== 'awaitingApplicant') {
      // Duplicate or late callbacks from the portal are expected; they change nothing.
      log.info('applicantResponded ignored', { stage: state.stage, valid: args.ok });
      return;
    }
    // Review resumes: the cabinet must stop showing «требует исправления» (see shared/elkStatusMapping.ts).
    const profile = state.service;
    const resumed = state.patched(STATUS_ON_APPLICANT_RESPONSE_PATCH)
      ? (profile.elkStatusOnApplicantResponse !== undefined ? profile.elkStatusOnApplicantResponse : DEFAULT_ELK_STATUS_ON_APPLICANT_RESPONSE)
      : undefined;
    void state.moveTo('underReview', 'applicantResponded', 'applicant', args.value.note, resumed);
  });
  setHandler(applicantCancelledSignal, async (raw) => {
    if (!state.profile) await condition(() => state.profile !== null);
    const args = check(ApplicantCancelledGuard, raw ?? {});
    if (!args.ok || !CANCELLABLE_STAGES.includes(state.stage)) {
      log.info('applicantCancelled ignored', { stage: state.stage, valid: args.ok });
      return;
    }
    void state.moveTo('cancelled', 'applicantCancelled', 'applicant', args.value.reason);
  });
}
