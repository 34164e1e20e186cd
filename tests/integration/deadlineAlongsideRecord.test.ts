// The first deadline of a case is computed inside the local activity that records the action starting the
// clock (LEAN_HISTORY_PATCH). The record must never depend on the calendar: with a calendar gap the record is
// written and the activity answers null, so the workflow asks the task-queue computeDeadline (hourly retries).
import { ApplicationFailure } from '@temporalio/activity';
import { Pool } from 'pg';
import { CALENDAR_COVERAGE, createRecordWithDeadlineActivities, type ClockLedger } from '../../activities';
import { createCaseRecordActivities } from '../../activities/caseRecords';
import { createDeadlineActivities } from '../../activities/deadlines';
import { ProductionCalendar } from '../../calendar';
import { ServiceRegistry } from '../../services/registry';
import type { CaseEventRecord } from '../../shared/lifecycle';
import { readStack, uniqueNumber } from '../support/harness';

let pool: Pool;
beforeAll(() => {
  pool = new Pool({ connectionString: readStack().databaseUrl, max: 2 });
});
afterAll(async () => {
  await pool.end();
});

const services = ServiceRegistry.load();
const real = createDeadlineActivities({ services, calendar: new ProductionCalendar(), timeZone: 'Europe/Moscow' });

function registration(app: string): CaseEventRecord {
  return {
    applicationNumber: app,
    serviceCode: 'archive-certificate',
    channel: 'mfc',
    receivedAt: '2026-11-30T07:00:00Z',
    event: { seq: 2, stage: 'registered', action: 'register', actor: 'ivanova', at: '2026-11-30T08:00:00Z' },
    assignedClerk: 'ivanova',
    deadline: null,
    dueDate: null,
    registeredAt: '2026-11-30T08:00:00Z',
    overdue: false,
    outcome: null,
  };
}
const ledger: ClockLedger = { serviceCode: 'archive-certificate', startedAt: '2026-11-30T08:00:00Z', suspensions: [], extensions: [] };

async function storedEvents(app: string): Promise<string[]> {
  const { rows } = await pool.query('SELECT action FROM case_events WHERE application_number = $1 ORDER BY seq', [app]);
  return rows.map((r) => r.action as string);
}

it('records the registration and returns the same deadline the task-queue computation gives', async () => {
  const app = uniqueNumber('DL-ALONG');
  const acts = createRecordWithDeadlineActivities({ recordCaseEvent: createCaseRecordActivities(pool).recordCaseEvent, computeDeadline: real.computeDeadline });
  const computed = await acts.recordCaseEventWithDeadline({ record: registration(app), ledger });
  expect(computed).toEqual(await real.computeDeadline(ledger));
  expect(computed!.deadline).not.toBeNull();
  expect(await storedEvents(app)).toEqual(['register']);
});

it('writes the record and defers the deadline (null) when the production calendar does not cover the term', async () => {
  const app = uniqueNumber('DL-GAP');
  let gaps = 0;
  const acts = createRecordWithDeadlineActivities({
    recordCaseEvent: createCaseRecordActivities(pool).recordCaseEvent,
    computeDeadline: async () => {
      gaps++;
      throw ApplicationFailure.retryable('production calendar has no year 2027', CALENDAR_COVERAGE);
    },
  });
  await expect(acts.recordCaseEventWithDeadline({ record: registration(app), ledger })).resolves.toBeNull();
  expect(gaps).toBe(1);
  expect(await storedEvents(app)).toEqual(['register']);
});

it('fails loudly on any other computation error (after the record is written)', async () => {
  const app = uniqueNumber('DL-UNKNOWN');
  const acts = createRecordWithDeadlineActivities({ recordCaseEvent: createCaseRecordActivities(pool).recordCaseEvent, computeDeadline: real.computeDeadline });
  await expect(acts.recordCaseEventWithDeadline({ record: registration(app), ledger: { ...ledger, serviceCode: 'no-such-service' } })).rejects.toThrow(/unknown service/);
  expect(await storedEvents(app)).toEqual(['register']);
});

describe('compact cases: the same local activity writes the "deadline" event at the seq the workflow reserved', () => {
  async function storedDeadlineEvent(app: string) {
    const { rows } = await pool.query(
      `SELECT e.seq, e.note, a.deadline, a.due_date::text AS due_date, a.last_event_seq
         FROM case_events e JOIN applications a USING (application_number)
        WHERE e.application_number = $1 AND e.action = 'deadline'`,
      [app],
    );
    return rows;
  }

  it('records the deadline event with its term, and the projection carries the deadline', async () => {
    const app = uniqueNumber('DL-SLOT');
    const acts = createRecordWithDeadlineActivities({ recordCaseEvent: createCaseRecordActivities(pool).recordCaseEvent, computeDeadline: real.computeDeadline });
    const computed = await acts.recordCaseEventWithDeadline({ record: registration(app), ledger, deadlineEvent: { seq: 3, at: '2026-11-30T08:00:00Z' } });
    expect(await storedEvents(app)).toEqual(['register', 'deadline']);
    const [row] = await storedDeadlineEvent(app);
    expect(row).toMatchObject({ seq: 3, note: `срок: ${computed!.dueDate}`, due_date: computed!.dueDate, last_event_seq: 3 });
    expect(row.deadline.toISOString()).toBe(new Date(computed!.deadline!).toISOString());
    // A retried attempt writes nothing twice.
    await acts.recordCaseEventWithDeadline({ record: registration(app), ledger, deadlineEvent: { seq: 3, at: '2026-11-30T08:00:00Z' } });
    expect(await storedEvents(app)).toEqual(['register', 'deadline']);
  });

  it('with a calendar gap still fills the reserved seq, saying the term comes with the calendar update', async () => {
    const app = uniqueNumber('DL-SLOT-GAP');
    const acts = createRecordWithDeadlineActivities({
      recordCaseEvent: createCaseRecordActivities(pool).recordCaseEvent,
      computeDeadline: async () => {
        throw ApplicationFailure.retryable('production calendar has no year 2027', CALENDAR_COVERAGE);
      },
    });
    await expect(acts.recordCaseEventWithDeadline({ record: registration(app), ledger, deadlineEvent: { seq: 3, at: '2026-11-30T08:00:00Z' } })).resolves.toBeNull();
    const [row] = await storedDeadlineEvent(app);
    expect(row).toMatchObject({ seq: 3, note: 'срок будет рассчитан после обновления производственного календаря', deadline: null, last_event_seq: 3 });
  });
});
