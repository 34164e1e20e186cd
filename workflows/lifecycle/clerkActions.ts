// Clerk actions arrive as Updates. Each is validated synchronously (the arguments by the zod-free guards, the
// stage by TRANSITIONS): an illegal action is rejected and leaves no trace in history. An accepted action moves
// the case to the stage TRANSITIONS names for it, or changes the case without moving it (reassign, extend the
// term, amend the refusal, sort out a delivery problem).
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';
import {
  CLERK_ACTION_TITLES_RU,
  ClerkActionArgs,
  ClerkActionName,
  checkClerkAction,
  TRANSITIONS,
} from '../../shared/clerkActionRules';
import type { CaseSnapshot } from '../../shared/lifecycle';
import { SA } from '../../shared/names';
import { isTerminal, Stage, STAGE_TITLES_RU } from '../../shared/stages';
import type { CaseState } from './caseState';
import { attachResultDocument, draftRefusalLetter, issueRefusalLetter, resultDocumentToAttach } from './decisionLetters';
import { clerkActionUpdates } from './messages';

/** The stage an action moves the case to. */
const target = (action: ClerkActionName): Stage => TRANSITIONS[action]!.to;

function assertActionAllowed(state: CaseState, action: ClerkActionName): void {
  const { stage } = state;
  const transition = TRANSITIONS[action];
  if (transition && !transition.from.includes(stage)) {
    throw new Error(
      `Действие «${CLERK_ACTION_TITLES_RU[action]}» недопустимо на этапе «${STAGE_TITLES_RU[stage]}» ` +
        `(action ${action} is not allowed in stage ${stage}; allowed in: ${transition.from.join(', ')})`,
    );
  }
  // A delivery problem can still be sorted out after the case closed: its statuses are still owed.
  if (isTerminal(stage) && action !== 'resolveDeliveryProblem') {
    throw new Error(`Заявление уже завершено: «${STAGE_TITLES_RU[stage]}» (case is closed: ${stage})`);
  }
  if (state.busyWith) {
    throw new Error(`Идёт обработка действия «${CLERK_ACTION_TITLES_RU[state.busyWith]}», повторите позже (another action is in progress: ${state.busyWith})`);
  }
  if (action === 'amendRefusal' && !(stage === 'decisionDrafted' && state.decisionOutcome === 'refuse')) {
    throw new Error('Исправлять можно только проект отказа (only a drafted refusal can be amended)');
  }
  if (action === 'extendDeadline' && !state.clock.startedAt) {
    throw new Error('Срок ещё не начал течь: заявление не зарегистрировано (the term of this service starts at registration)');
  }
}

/** The arguments as the guards normalise them (trimmed, unknown keys dropped), or an error naming field and rule. */
function validArgs<A extends ClerkActionName>(action: A, args: unknown): ClerkActionArgs<A> {
  const result = checkClerkAction(action, args);
  if (!result.ok) throw new Error(`Действие «${CLERK_ACTION_TITLES_RU[action]}» отклонено (${action} rejected): ${result.message}`);
  return result.value;
}

function setClerkAction<A extends ClerkActionName>(
  state: CaseState,
  action: A,
  extraCheck: ((args: ClerkActionArgs<A>) => void) | null,
  apply: (args: ClerkActionArgs<A>) => Promise<void>,
): void {
  setHandler(
    clerkActionUpdates[action] as ReturnType<typeof defineUpdate<CaseSnapshot, [ClerkActionArgs<A>]>>,
    async (args: ClerkActionArgs<A>) => {
      if (!state.profile) {
        await condition(() => state.profile !== null);
        // Validated before the profile arrived: check again against the stage as it is now.
        assertActionAllowed(state, action);
        extraCheck?.(args);
      }
      await apply(validArgs(action, args));
      return state.snapshot();
    },
    {
      validator: (args: ClerkActionArgs<A>) => {
        validArgs(action, args);
        assertActionAllowed(state, action);
        extraCheck?.(args);
      },
      description: CLERK_ACTION_TITLES_RU[action],
    },
  );
}

/** Registers every clerk action (before the workflow's first await: an Update arriving earlier would find no handler). */
export function handleClerkActions(state: CaseState): void {
  const simpleTransition = <A extends ClerkActionName>(action: A) =>
    setClerkAction(state, action, null, (a) => {
      const args = a as { clerk: string; note?: string };
      return state.moveTo(target(action), action, args.clerk, args.note);
    });

  setClerkAction(state, 'register', null, async (a) => {
    if (!state.assignedClerk) {
      state.assignedClerk = a.clerk;
      state.upsertCaseAttributes([{ key: SA.assignedClerk, value: a.clerk }]);
    }
    state.registeredAt = new Date().toISOString();
    // A term that runs from receipt is already running: a late registration eats its budget, it does not restart it.
    if (!state.clock.startedAt) {
      state.startClock(state.registeredAt);
      // The registration's record computes the first deadline too (see LEAN_HISTORY_PATCH).
      state.computeDeadlineWithNextRecord = state.lean;
    }
    await state.moveTo(target('register'), 'register', a.clerk, a.note);
  });
  simpleTransition('startReview');
  setClerkAction(state, 'requestInteragency', null, (a) =>
    state.moveTo(target('requestInteragency'), 'requestInteragency', a.clerk, [a.agencies.join(', '), a.note].filter(Boolean).join(' — ')),
  );
  setClerkAction(state, 'recordInteragencyAnswer', null, (a) =>
    state.moveTo(target('recordInteragencyAnswer'), 'recordInteragencyAnswer', a.clerk, [a.agency, a.note].filter(Boolean).join(' — ')),
  );
  setClerkAction(state, 'requestFromApplicant', null, (a) =>
    state.moveTo(target('requestFromApplicant'), `requestFromApplicant:${a.kind}`, a.clerk, a.note, state.service.awaitingApplicantStatus[a.kind]),
  );
  setClerkAction(state, 'draftDecision', null, async (a) => {
    if (a.outcome === 'refuse') await draftRefusalLetter(state, 'draftDecision', a.clerk, a.grounds!);
    state.decisionOutcome = a.outcome;
    await state.moveTo(target('draftDecision'), `draftDecision:${a.outcome}`, a.clerk, a.note);
  });
  setClerkAction(state, 'amendRefusal', null, async (a) => {
    await draftRefusalLetter(state, 'amendRefusal', a.clerk, a.grounds);
    await state.record('amendRefusal', a.clerk, a.note ?? `версия ${state.refusalDraft!.version}`);
  });
  setClerkAction(state, 'extendDeadline', null, async (a) => {
    state.clock.extensions.push({ amount: a.amount, unit: a.unit, reason: a.reason });
    state.clockVersion++;
    await state.record('extendDeadline', a.clerk, `+${a.amount} ${a.unit}: ${a.reason}`);
  });
  setClerkAction(
    state,
    'approve',
    () => {
      if (state.decisionOutcome !== 'approve') throw new Error('Проект решения — отказ; утвердить предоставление нельзя (draft decision is a refusal)');
    },
    (a) => state.moveTo(target('approve'), 'approve', a.clerk, a.note),
  );
  setClerkAction(
    state,
    'refuse',
    () => {
      if (state.decisionOutcome !== 'refuse') throw new Error('Проект решения — предоставление; утвердить отказ нельзя (draft decision is an approval)');
    },
    async (a) => {
      // The letter is stored (draftDecision) and marked issued before the refusal status is queued for ЕЛК.
      const attachment = await issueRefusalLetter(state, a.clerk);
      await state.moveTo(target('refuse'), 'refuse', a.clerk, a.note, undefined, attachment);
    },
  );
  setClerkAction(state, 'issueResult', null, async (a) => {
    const document = resultDocumentToAttach(state, a.document);
    const attachment = document ? await attachResultDocument(state, document, a.clerk) : undefined;
    await state.moveTo(target('issueResult'), 'issueResult', a.clerk, a.note, undefined, attachment);
  });
  setClerkAction(
    state,
    'reassign',
    (a) => {
      if (a.to.trim() === state.assignedClerk) throw new Error(`Заявление уже назначено исполнителю ${a.to.trim()} (already assigned)`);
    },
    async (a) => {
      state.assignedClerk = a.to;
      state.upsertCaseAttributes([{ key: SA.assignedClerk, value: a.to }]);
      await state.record('reassign', a.clerk, `→ ${a.to}: ${a.reason}`);
    },
  );
  setClerkAction(
    state,
    'resolveDeliveryProblem',
    () => {
      if (!state.deliveryProblem) throw new Error('Нет ошибки передачи статуса для разбора (no delivery problem is open)');
    },
    async (a) => {
      state.problemResolution = a.action;
      await state.record(`resolveDeliveryProblem:${a.action}`, a.clerk, a.note);
    },
  );
}
