// Operator queries against a real PostgreSQL, and the Temporal visibility query strings.
import { defaultProductionCalendar } from '../../calendar';
import {
  countsByServiceAndClerk,
  dueWithinWorkingDays,
  endOfWorkingDaysWindow,
  overdueCases,
  temporalQueryDueBefore,
  temporalQueryOverdue,
} from '../../escalation';
import { startTestDatabase, type TestDatabase } from './support';

let db: TestDatabase;
const calendar = defaultProductionCalendar();
const TZ = 'Europe/Moscow';
// Friday 6 March 2026, before the 8 March holiday (Sunday) moved to Monday 9 March.
const NOW = new Date('2026-03-06T10:00:00+03:00');

beforeAll(async () => {
  db = await startTestDatabase('visibility');
  const cases: Array<[string, string, string | null, string | null, boolean, string | null]> = [
    // number, service, clerk, deadline, overdue flag, completed_at
    ['V-today', 'SVC-1', 'clerk-1', '2026-03-06T18:00:00+03:00', false, null],
    ['V-tuesday', 'SVC-1', 'clerk-1', '2026-03-10T18:00:00+03:00', false, null],
    ['V-wednesday', 'SVC-1', 'clerk-1', '2026-03-11T09:00:00+03:00', false, null],
    ['V-other-service', 'SVC-2', 'clerk-1', '2026-03-10T12:00:00+03:00', false, null],
    ['V-other-clerk', 'SVC-1', 'clerk-2', '2026-03-10T12:00:00+03:00', false, null],
    ['V-done', 'SVC-1', 'clerk-1', '2026-03-10T18:00:00+03:00', false, '2026-03-05T12:00:00+03:00'],
    ['V-late', 'SVC-1', 'clerk-2', '2026-03-05T18:00:00+03:00', false, null],
    ['V-flagged', 'SVC-2', null, '2026-03-12T18:00:00+03:00', true, null],
    ['V-no-deadline', 'SVC-2', null, null, false, null],
  ];
  for (const [n, svc, clerk, deadline, overdue, completedAt] of cases) {
    await db.pool.query(
      `INSERT INTO applications (application_number, service_code, channel, received_at, stage, assigned_clerk, deadline, overdue, completed_at, outcome)
       VALUES ($1, $2, 'EPGU', '2026-02-20T09:00:00+03:00', $3, $4, $5, $6, $7, $8)`,
      [n, svc, completedAt ? 'resultIssued' : 'underReview', clerk, deadline, overdue, completedAt, completedAt ? 'resultIssued' : null],
    );
  }
});

afterAll(async () => {
  await db?.stop();
});

const numbers = (rows: Array<{ applicationNumber: string }>) => rows.map((r) => r.applicationNumber);

describe('dueWithinWorkingDays', () => {
  test('counts working days across the weekend and the moved holiday', async () => {
    // Friday + 1 working day = Tuesday 10 March (Sat, Sun and Monday 9 March are days off).
    expect(endOfWorkingDaysWindow(calendar, TZ, 1, NOW).toISOString()).toBe('2026-03-10T21:00:00.000Z');
    expect(numbers(await dueWithinWorkingDays(db.pool, calendar, TZ, 1, { now: NOW }))).toEqual([
      'V-today',
      'V-other-clerk',
      'V-other-service',
      'V-tuesday',
    ]);
    expect(numbers(await dueWithinWorkingDays(db.pool, calendar, TZ, 0, { now: NOW }))).toEqual(['V-today']);
    expect(numbers(await dueWithinWorkingDays(db.pool, calendar, TZ, 2, { now: NOW }))).toEqual([
      'V-today',
      'V-other-clerk',
      'V-other-service',
      'V-tuesday',
      'V-wednesday',
    ]);
  });

  test('filters by service and clerk', async () => {
    expect(numbers(await dueWithinWorkingDays(db.pool, calendar, TZ, 1, { now: NOW, serviceCode: 'SVC-2' }))).toEqual(['V-other-service']);
    expect(numbers(await dueWithinWorkingDays(db.pool, calendar, TZ, 1, { now: NOW, clerk: 'clerk-2' }))).toEqual(['V-other-clerk']);
    expect(numbers(await dueWithinWorkingDays(db.pool, calendar, TZ, 2, { now: NOW, serviceCode: 'SVC-1', clerk: 'clerk-1' }))).toEqual([
      'V-today',
      'V-tuesday',
      'V-wednesday',
    ]);
  });

  test('rejects a bad window or filter', async () => {
    await expect(dueWithinWorkingDays(db.pool, calendar, TZ, -1, { now: NOW })).rejects.toThrow(/non-negative integer/);
    await expect(dueWithinWorkingDays(db.pool, calendar, TZ, 1, { clerk: '' })).rejects.toThrow(/clerk/);
  });
});

test('overdueCases lists open cases past the deadline or flagged overdue', async () => {
  const rows = await overdueCases(db.pool, { now: NOW });
  expect(numbers(rows)).toEqual(['V-late', 'V-flagged']);
  expect(rows[0]).toEqual({
    applicationNumber: 'V-late',
    serviceCode: 'SVC-1',
    stage: 'underReview',
    assignedClerk: 'clerk-2',
    deadline: '2026-03-05T15:00:00.000Z',
    overdue: false,
  });
  expect(numbers(await overdueCases(db.pool, { now: NOW, serviceCode: 'SVC-2' }))).toEqual(['V-flagged']);
  expect(numbers(await overdueCases(db.pool, { now: NOW, clerk: 'clerk-2' }))).toEqual(['V-late']);
  // A week later the Tuesday and Wednesday cases are overdue too.
  expect(numbers(await overdueCases(db.pool, { now: new Date('2026-03-13T10:00:00+03:00'), clerk: 'clerk-1' }))).toEqual([
    'V-today',
    'V-other-service',
    'V-tuesday',
    'V-wednesday',
  ]);
});

test('countsByServiceAndClerk', async () => {
  expect(await countsByServiceAndClerk(db.pool, { now: NOW })).toEqual([
    { serviceCode: 'SVC-1', assignedClerk: 'clerk-1', open: 3, overdue: 0 },
    { serviceCode: 'SVC-1', assignedClerk: 'clerk-2', open: 2, overdue: 1 },
    { serviceCode: 'SVC-2', assignedClerk: null, open: 2, overdue: 1 },
    { serviceCode: 'SVC-2', assignedClerk: 'clerk-1', open: 1, overdue: 0 },
  ]);
});

describe('Temporal visibility queries', () => {
  test('due before an instant, with filters', () => {
    expect(temporalQueryDueBefore('2026-03-10T21:00:00+00:00')).toBe('CaseDeadline < "2026-03-10T21:00:00.000Z" AND ExecutionStatus = "Running"');
    expect(temporalQueryDueBefore('2026-03-11T00:00:00+03:00', { serviceCode: 'SVC-1', clerk: 'clerk-1' })).toBe(
      'CaseDeadline < "2026-03-10T21:00:00.000Z" AND ExecutionStatus = "Running" AND ServiceCode = "SVC-1" AND AssignedClerk = "clerk-1"',
    );
    expect(temporalQueryOverdue({ clerk: 'clerk-2' })).toBe('CaseOverdue = true AND ExecutionStatus = "Running" AND AssignedClerk = "clerk-2"');
  });

  test('refuses values that could break out of the quoted literal', () => {
    expect(() => temporalQueryDueBefore('2026-03-10T21:00:00Z', { clerk: 'x" OR ExecutionStatus = "Completed' })).toThrow(/clerk/);
    expect(() => temporalQueryDueBefore('завтра')).toThrow(/isoInstant/);
  });
});
