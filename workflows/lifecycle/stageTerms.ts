// Stage terms: some stages have a term of their own in the service's regulation (registration within a day of
// receipt, for example). A stage not left in time gives the clerk a task, once per visit of the stage.
import { condition } from '@temporalio/workflow';
import { STAGE_TITLES_RU } from '../../shared/stages';
import type { LifecycleProxy } from './activityKinds';
import type { CaseState } from './caseState';

/** Runs until the case is closed, watching the term of each stage the case enters. */
export async function watchStageTerms(state: CaseState, deadlines: LifecycleProxy): Promise<void> {
  const { input } = state;
  const profile = state.service;
  while (!state.closed) {
    const version = state.stageVersion;
    const watched = state.stage;
    if (profile.stagesWithTerms.includes(watched)) {
      // The registration term came with the admission (one local activity instead of two).
      const term =
        version === 0 && state.receivedStageDeadline !== undefined
          ? state.receivedStageDeadline && { deadline: state.receivedStageDeadline }
          : await state.unlessFinished(() => deadlines.computeStageDeadline({ serviceCode: input.serviceCode, stage: watched, enteredAt: state.stageEnteredAt }));
      if (term && version === state.stageVersion) {
        const left = await state.waitUnless(() => state.stageVersion !== version || state.closed, Math.max(0, Date.parse(term.deadline) - Date.now()));
        if (!left) {
          await state.records.openClerkTask({
            taskKey: `stage-term:${input.applicationNumber}:${watched}:${version}`,
            applicationNumber: input.applicationNumber,
            kind: `stageTerm:${watched}`,
            assigneeRole: 'clerk',
            assignee: state.assignedClerk,
            title: `Истёк срок этапа «${STAGE_TITLES_RU[watched]}» по заявлению ${input.applicationNumber}`,
            body: `Этап «${STAGE_TITLES_RU[watched]}» должен был завершиться к ${term.deadline} по регламенту услуги «${profile.title}». Завершите этап или зафиксируйте причину задержки.`,
            dueAt: term.deadline,
          });
          void state.record(`stageTermExceeded:${watched}`, 'system');
        }
      }
    }
    await condition(() => state.stageVersion !== version || state.closed);
  }
}
