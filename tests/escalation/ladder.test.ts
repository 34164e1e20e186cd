import fc from 'fast-check';
import {
  ProductionCalendar,
  addDays,
  computeRegulatoryClock,
  defaultProductionCalendar,
  localDate,
  workingWindow,
  type RegulatoryClockInput,
} from '../../calendar';
import { DEFAULT_ESCALATION_LADDER, escalationLadderSchema, scheduleRungs } from '../../escalation';

const cal = defaultProductionCalendar();
const MSK = 'Europe/Moscow';
const schedule = (input: RegulatoryClockInput, ladder = DEFAULT_ESCALATION_LADDER, calendar = cal) =>
  scheduleRungs(input, computeRegulatoryClock(input, calendar), ladder, calendar);

describe('escalation ladder: 30-working-day term across the New Year holidays', () => {
  // Registered Wednesday 10.12.2025; counted days: 11.12–30.12 (14), 31.12–11.01 off, 12.01–02.02 (16).
  const input: RegulatoryClockInput = {
    startedAt: '2025-12-10T10:00:00+03:00',
    term: { amount: 30, unit: 'workingDays' },
    timeZone: MSK,
    suspensions: [],
    extensions: [],
  };

  it('places rungs by working time consumed, not wall clock', () => {
    expect(computeRegulatoryClock(input, cal).deadline).toBe('2026-02-02T18:00:00.000+03:00');
    expect(schedule(input)).toEqual([
      // 50 % of 30 × 540 min = 15 full days → start of the 16th counted day (13.01), not mid-holidays
      { rung: 'clerkReminder', fireAt: '2026-01-13T09:00:00.000+03:00', notify: ['clerk'], flagsOverdue: false },
      // 75 % = 22.5 days → 23rd counted day (22.01) + 4.5 h
      { rung: 'headWarning', fireAt: '2026-01-22T13:30:00.000+03:00', notify: ['clerk', 'head'], flagsOverdue: false },
      { rung: 'lastDay', fireAt: '2026-02-02T09:00:00.000+03:00', notify: ['head', 'deputy'], flagsOverdue: false },
      { rung: 'breach', fireAt: '2026-02-02T18:00:00.000+03:00', notify: ['management'], flagsOverdue: true },
    ]);
  });

  it('a suspension pushes the rungs along with the deadline and no rung fires on a suspended day', () => {
    const suspendedInput = {
      ...input,
      suspensions: [{ from: '2026-01-12T08:00:00+03:00', to: '2026-01-14T20:00:00+03:00', reason: 'Запрос документов' }],
    };
    const out = computeRegulatoryClock(suspendedInput, cal);
    expect(out.suspendedDates).toEqual(['2026-01-12', '2026-01-13', '2026-01-14']);
    expect(out.dueDate).toBe('2026-02-05');
    const rungs = scheduleRungs(suspendedInput, out, DEFAULT_ESCALATION_LADDER, cal);
    expect(rungs.map((r) => r.fireAt)).toEqual([
      '2026-01-16T09:00:00.000+03:00',
      '2026-01-27T13:30:00.000+03:00',
      '2026-02-05T09:00:00.000+03:00',
      '2026-02-05T18:00:00.000+03:00',
    ]);
  });

  it('schedules nothing while a suspension is open (the deadline is unknown)', () => {
    const open = { ...input, suspensions: [{ from: '2026-01-12T08:00:00+03:00', reason: 'Ожидание ответа' }] };
    expect(schedule(open)).toEqual([]);
  });

  it('refuses a clock computed with a different calendar', () => {
    const tatarstan = new ProductionCalendar({ regionalHolidays: [{ date: '2026-01-20', name: 'x' }] });
    expect(() => scheduleRungs(input, computeRegulatoryClock(input, cal), DEFAULT_ESCALATION_LADDER, tatarstan)).toThrow(/пересчитайте срок/);
  });
});

describe('escalation ladder: ordering and config', () => {
  const oneDay: RegulatoryClockInput = { startedAt: '2026-03-02T10:00:00+03:00', term: { amount: 1, unit: 'workingDays' }, timeZone: MSK, suspensions: [], extensions: [] };

  it('sorts by time: on a one-day term the last-day rung comes before the percent rungs', () => {
    expect(schedule(oneDay).map((r) => [r.rung, r.fireAt])).toEqual([
      ['lastDay', '2026-03-03T09:00:00.000+03:00'],
      ['clerkReminder', '2026-03-03T13:30:00.000+03:00'],
      ['headWarning', '2026-03-03T15:45:00.000+03:00'],
      ['breach', '2026-03-03T18:00:00.000+03:00'],
    ]);
  });

  it('keeps ladder order for rungs that collapse to the same instant, and caps rungs at the deadline', () => {
    const ladder = escalationLadderSchema.parse([
      { rung: 'second', at: { percent: 100 }, notify: ['head'] },
      { rung: 'first', at: { workingDaysBeforeDeadline: 5 }, notify: ['clerk'] },
      { rung: 'alsoFirst', at: { workingDaysBeforeDeadline: 3 }, notify: ['deputy'] },
      { rung: 'breach', at: { atDeadline: true }, notify: ['management'], flagsOverdue: true },
    ]);
    expect(schedule(oneDay, ladder).map((r) => [r.rung, r.fireAt])).toEqual([
      ['first', '2026-03-03T09:00:00.000+03:00'],
      ['alsoFirst', '2026-03-03T09:00:00.000+03:00'],
      ['second', '2026-03-03T18:00:00.000+03:00'],
      ['breach', '2026-03-03T18:00:00.000+03:00'],
    ]);
  });

  it('rejects an invalid ladder', () => {
    expect(() => escalationLadderSchema.parse([])).toThrow();
    expect(() => escalationLadderSchema.parse([{ rung: 'a', at: { percent: 0 }, notify: ['clerk'] }])).toThrow();
    expect(() => escalationLadderSchema.parse([{ rung: 'a', at: { percent: 120 }, notify: ['clerk'] }])).toThrow();
    expect(() =>
      escalationLadderSchema.parse([
        { rung: 'a', at: { percent: 50 }, notify: ['clerk'] },
        { rung: 'a', at: { percent: 60 }, notify: ['head'] },
      ]),
    ).toThrow(/unique/);
    expect(() => escalationLadderSchema.parse([{ rung: 'a', at: { percent: 50 }, notify: [] }])).toThrow();
  });
});

describe('escalation ladder: invariants over many terms, zones and dates', () => {
  const zones = ['Europe/Kaliningrad', 'Europe/Moscow', 'Europe/Samara', 'Asia/Yekaterinburg', 'Asia/Omsk', 'Asia/Krasnoyarsk', 'Asia/Irkutsk', 'Asia/Yakutsk', 'Asia/Vladivostok', 'Asia/Magadan', 'Asia/Kamchatka'];
  const first = localDate('2020-01-01');

  it('every rung except breach fires inside working hours of a counted working day, never after the deadline, in time order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 365 * 7 + 200 }),
        fc.integer({ min: 0, max: 24 * 60 - 1 }),
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom(...zones),
        fc.constantFrom('workingDays' as const, 'calendarDays' as const),
        (dayOffset, minuteOfDay, amount, tz, unit) => {
          const day = addDays(first, dayOffset);
          const startedAt = new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)), 0, minuteOfDay)).toISOString();
          const input: RegulatoryClockInput = { startedAt, term: { amount, unit }, timeZone: tz, suspensions: [], extensions: [] };
          const out = computeRegulatoryClock(input, cal);
          const rungs = scheduleRungs(input, out, DEFAULT_ESCALATION_LADDER, cal);
          const deadline = Date.parse(out.deadline as string);
          expect(rungs.map((r) => r.rung).sort()).toEqual(['breach', 'clerkReminder', 'headWarning', 'lastDay']);
          let prev = -Infinity;
          for (const r of rungs) {
            const t = Date.parse(r.fireAt);
            expect(t).toBeGreaterThanOrEqual(prev);
            expect(t).toBeGreaterThan(Date.parse(startedAt));
            prev = t;
            if (r.rung === 'breach') {
              expect(t).toBe(deadline);
              continue;
            }
            expect(t).toBeLessThan(deadline);
            const w = workingWindow(r.fireAt.slice(0, 10), tz, cal);
            expect(w).not.toBeNull();
            expect(t).toBeGreaterThanOrEqual((w as NonNullable<typeof w>).start.getTime());
            expect(t).toBeLessThan((w as NonNullable<typeof w>).end.getTime());
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
