import { defaultProductionCalendar } from '../../calendar';
import { computeComplianceFigures, nearestRank, percent, previousWeek, type Figures } from '../../reports/complianceFigures';
import { A, APPLICATIONS, C, ESCALATIONS, EXPECTED, NOW, PERIOD, TZ } from './fixtures';

const calendar = defaultProductionCalendar();
const figures = computeComplianceFigures(APPLICATIONS, ESCALATIONS, { ...PERIOD, timeZone: TZ, calendar, now: NOW, weeksOfHistory: 8 });

function scalar(f: Figures) {
  const { weeklyOnTime, ...rest } = f;
  return { ...rest, weeklyPercent: weeklyOnTime.map((w) => w.onTimePercent) };
}

describe('computeComplianceFigures', () => {
  it('sees the holiday inside the period', () => {
    expect(calendar.isWorkingDay('2026-11-04')).toBe(false);
    expect(calendar.isWorkingDay('2026-11-03')).toBe(true);
  });

  it('lists services in code order and the rungs in ladder order, unknown rungs last', () => {
    expect(figures.services.map((s) => s.serviceCode)).toEqual([A, C]);
    expect(figures.rungs).toEqual(EXPECTED.rungs);
    expect(figures.periodStart).toBe('2026-11-02');
    expect(figures.periodEnd).toBe('2026-11-08');
    expect(figures.generatedAt).toBe('2026-11-09T06:05:00.000Z');
    expect(figures.calendarVersion).toBe(calendar.version);
  });

  it.each([A, C] as const)('gives the hand-counted figures for %s', (code) => {
    const s = figures.services.find((x) => x.serviceCode === code)!;
    const { serviceCode, ...rest } = s;
    expect(serviceCode).toBe(code);
    expect(scalar(rest)).toEqual(EXPECTED[code]);
  });

  it('gives the hand-counted department totals (computed over rows, not averaged over services)', () => {
    expect(scalar(figures.total)).toEqual(EXPECTED.total);
  });

  it('builds the eight chart weeks ending with the period, with counts', () => {
    expect(figures.total.weeklyOnTime.map((w) => [w.weekStart, w.weekEnd])).toEqual(EXPECTED.weeks);
    expect(figures.total.weeklyOnTime.map((w) => [w.onTime, w.eligible])).toEqual([
      [0, 0],
      [0, 1],
      [0, 0],
      [0, 0],
      [1, 1],
      [1, 1],
      [1, 2],
      [8, 11],
    ]);
  });

  it('lists a requested service with no data as zeros and nulls', () => {
    const f = computeComplianceFigures(APPLICATIONS, ESCALATIONS, {
      ...PERIOD,
      timeZone: TZ,
      calendar,
      now: NOW,
      serviceCodes: ['zz-empty'],
    });
    const empty = f.services.find((s) => s.serviceCode === 'zz-empty')!;
    expect(empty.received).toBe(0);
    expect(empty.onTimePercent).toBeNull();
    expect(empty.processing).toEqual({ count: 0, meanWorkingDays: null, p90WorkingDays: null });
    expect(empty.refusalPercent).toBeNull();
    expect(empty.weeklyOnTime.every((w) => w.onTimePercent === null)).toBe(true);
    expect(f.total).toEqual(figures.total);
  });

  it('reads dates in the department zone: Moscow and Vladivostok (UTC+10) disagree across midnight', () => {
    // A9: Sunday 23:30 Moscow = Monday 06:30 Vladivostok (leaves the period); A11: Sunday 1 Nov 23:30 Moscow =
    // Monday 2 Nov 06:30 Vladivostok (enters it).
    const rows = APPLICATIONS.filter((r) => r.applicationNumber === 'A9' || r.applicationNumber === 'A11');
    const received = (tz: string, n: string) =>
      computeComplianceFigures(rows.filter((r) => r.applicationNumber === n), [], { ...PERIOD, timeZone: tz, calendar, now: NOW }).total.received;
    expect([received(TZ, 'A9'), received(TZ, 'A11')]).toEqual([1, 0]);
    expect([received('Asia/Vladivostok', 'A9'), received('Asia/Vladivostok', 'A11')]).toEqual([0, 1]);
  });

  it('rejects a reversed period and a bad history length', () => {
    const base = { timeZone: TZ, calendar, now: NOW };
    expect(() => computeComplianceFigures([], [], { ...base, periodStart: '2026-11-08', periodEnd: '2026-11-02' })).toThrow(RangeError);
    expect(() => computeComplianceFigures([], [], { ...base, ...PERIOD, weeksOfHistory: 0 })).toThrow(RangeError);
    expect(() => computeComplianceFigures([], [], { ...base, periodStart: '2026-11-31', periodEnd: '2026-12-06' })).toThrow(RangeError);
  });
});

describe('helpers', () => {
  it('previousWeek is the Monday..Sunday before the local date, in the department zone', () => {
    expect(previousWeek('2026-11-23T09:00:00+03:00', TZ)).toEqual({ periodStart: '2026-11-16', periodEnd: '2026-11-22' });
    // Sunday 22:00 UTC is already Monday in Moscow.
    expect(previousWeek('2026-11-22T22:00:00Z', TZ)).toEqual({ periodStart: '2026-11-16', periodEnd: '2026-11-22' });
    expect(previousWeek('2026-11-22T20:00:00Z', TZ)).toEqual({ periodStart: '2026-11-09', periodEnd: '2026-11-15' });
    // Tuesday after a Monday off still reports the previous week; across the year end.
    expect(previousWeek('2026-05-12T09:00:00+03:00', TZ)).toEqual({ periodStart: '2026-05-04', periodEnd: '2026-05-10' });
    expect(previousWeek('2027-01-04T09:00:00+03:00', TZ)).toEqual({ periodStart: '2026-12-28', periodEnd: '2027-01-03' });
  });

  it('percent rounds half up to 0.1 from counts', () => {
    expect(percent(5, 6)).toBe(83.3);
    expect(percent(1, 8)).toBe(12.5);
    expect(percent(1, 16)).toBe(6.3); // 6.25 → 6.3
    expect(percent(0, 3)).toBe(0);
    expect(percent(0, 0)).toBeNull();
  });

  it('nearestRank follows the nearest-rank definition', () => {
    expect(nearestRank([], 90)).toBeNull();
    expect(nearestRank([7], 90)).toBe(7);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
  });
});
