// computeDeadline: the regulatory clock of one case, computed outside workflow code so that a calendar
// update never changes a decision already recorded in history. The workflow keeps the inputs (start,
// suspension ledger, extensions) and asks again whenever they change.
import { ApplicationFailure } from '@temporalio/activity';
import { CalendarCoverageError, ProductionCalendar } from '../calendar';
import { computeRegulatoryClock, type RegulatoryLedger } from '../calendar';
import { scheduleRungs, type ScheduledRung } from '../escalation';
import { DEFAULT_WORKING_HOURS, WorkingHours } from '../calendar';
import type { ServiceRegistry } from '../services';
import type { Regulation } from '../services';
import { UNKNOWN_SERVICE } from '../shared';

/** The case's ledger (calendar/regulatoryClock's shape) and the service whose term it runs against. */
export interface ClockLedger extends RegulatoryLedger {
  serviceCode: string;
}

export interface DeadlineComputation {
  deadline: string | null;
  dueDate: string | null;
  suspendedWorkingDays: number;
  calendarVersion: string;
  openSuspension: boolean;
  rungs: ScheduledRung[];
}

export const CALENDAR_COVERAGE = 'CalendarCoverageError';

export function createDeadlineActivities(deps: {
  services: ServiceRegistry;
  calendar: ProductionCalendar;
  timeZone: string;
  hours?: WorkingHours;
}) {
  const hours = deps.hours ?? DEFAULT_WORKING_HOURS;
  return {
    /** When a stage with a term of its own (registration, interagency answers) must be left. */
    async computeStageDeadline(input: { serviceCode: string; stage: string; enteredAt: string }): Promise<{ deadline: string } | null> {
      const term = deps.services.get(input.serviceCode)?.regulation.stageTerms[input.stage as keyof Regulation['stageTerms']];
      if (!term) return null;
      try {
        const clock = computeRegulatoryClock({ startedAt: input.enteredAt, term, timeZone: deps.timeZone, suspensions: [], extensions: [] }, deps.calendar, hours);
        return { deadline: clock.deadline! };
      } catch (err) {
        if (err instanceof CalendarCoverageError) throw ApplicationFailure.retryable(err.message, CALENDAR_COVERAGE);
        throw err;
      }
    },

    async computeDeadline(ledger: ClockLedger): Promise<DeadlineComputation> {
      const service = deps.services.get(ledger.serviceCode);
      if (!service) throw ApplicationFailure.nonRetryable(`unknown service ${ledger.serviceCode}`, UNKNOWN_SERVICE);
      const input = {
        startedAt: ledger.startedAt,
        term: service.regulation.term,
        timeZone: deps.timeZone,
        suspensions: ledger.suspensions,
        extensions: ledger.extensions,
      };
      try {
        const clock = computeRegulatoryClock(input, deps.calendar, hours);
        const rungs = clock.openSuspension ? [] : scheduleRungs(input, clock, service.regulation.ladder, deps.calendar, hours);
        return {
          deadline: clock.deadline,
          dueDate: clock.dueDate,
          suspendedWorkingDays: clock.suspendedWorkingDays,
          calendarVersion: clock.calendarVersion,
          openSuspension: clock.openSuspension,
          rungs: rungs.map((r) => ({ rung: r.rung, fireAt: r.fireAt, notify: [...r.notify], flagsOverdue: r.flagsOverdue })),
        };
      } catch (err) {
        // Retried (up to hourly) until the operator installs the next year's calendar; the clerk is not blocked.
        if (err instanceof CalendarCoverageError) throw ApplicationFailure.retryable(err.message, CALENDAR_COVERAGE);
        throw err;
      }
    },
  };
}

/**
 * The deadline computed alongside another local activity (admission, the record that starts the clock), or null
 * when the production calendar does not cover it yet: the workflow then asks the task-queue computeDeadline,
 * which retries hourly, so a calendar gap never holds admission or a record.
 */
export async function deadlineOrDefer(computeDeadline: (ledger: ClockLedger) => Promise<DeadlineComputation>, ledger: ClockLedger): Promise<DeadlineComputation | null> {
  try {
    return await computeDeadline(ledger);
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === CALENDAR_COVERAGE) return null;
    throw err;
  }
}
