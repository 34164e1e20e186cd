import { DEFAULT_WORKING_HOURS, ProductionCalendar, defaultProductionCalendar, formatOffsetDateTime, nextWorkingInstant, workingHoursSchema, workingMinutesBetween, workingWindow } from '../../calendar';

const cal = defaultProductionCalendar();
const MSK = 'Europe/Moscow';
const next = (iso: string, tz = MSK, hours = DEFAULT_WORKING_HOURS): string => formatOffsetDateTime(nextWorkingInstant(new Date(iso), tz, cal, hours), tz);

describe('working hours', () => {
  it('default is 09:00–18:00, a shortened day ends at 17:00, a day off has no window', () => {
    const w = workingWindow('2026-03-05', MSK, cal);
    expect(w && [formatOffsetDateTime(w.start, MSK), formatOffsetDateTime(w.end, MSK), w.minutes]).toEqual([
      '2026-03-05T09:00:00.000+03:00',
      '2026-03-05T18:00:00.000+03:00',
      540,
    ]);
    expect(workingWindow('2026-04-30', MSK, cal)?.minutes).toBe(480);
    expect(workingWindow('2026-03-09', MSK, cal)).toBeNull();
  });

  it('supports a shorter Friday', () => {
    const hours = workingHoursSchema.parse({ byWeekday: { '5': { start: '09:00', end: '16:45' } } });
    expect(workingWindow('2026-03-06', MSK, cal, hours)?.minutes).toBe(465);
    expect(next('2026-03-06T17:00:00+03:00', MSK, hours)).toBe('2026-03-10T09:00:00.000+03:00');
  });

  it('rejects working hours that leave nothing on a shortened day', () => {
    expect(() => workingHoursSchema.parse({ start: '09:00', end: '09:30' })).toThrow();
    expect(() => workingHoursSchema.parse({ start: '9:00' })).toThrow();
  });
});

describe('nextWorkingInstant: reminders land in working hours only', () => {
  it('keeps an instant inside working hours', () => {
    expect(next('2026-03-05T14:10:00+03:00')).toBe('2026-03-05T14:10:00.000+03:00');
    expect(next('2026-03-05T09:00:00+03:00')).toBe('2026-03-05T09:00:00.000+03:00');
  });

  it('moves a night instant to 09:00 of the same or next working day', () => {
    expect(next('2026-03-04T23:10:00+03:00')).toBe('2026-03-05T09:00:00.000+03:00');
    expect(next('2026-03-05T06:00:00+03:00')).toBe('2026-03-05T09:00:00.000+03:00');
    expect(next('2026-03-05T18:00:00+03:00')).toBe('2026-03-06T09:00:00.000+03:00'); // end is exclusive
  });

  it('skips a weekend followed by a transferred day off', () => {
    expect(next('2026-03-07T12:00:00+03:00')).toBe('2026-03-10T09:00:00.000+03:00'); // 09.03 is off (from 08.03)
  });

  it('18:30 on the last working day before the New Year holidays → 09:00 on the first working day after', () => {
    expect(next('2025-12-30T18:30:00+03:00')).toBe('2026-01-12T09:00:00.000+03:00');
  });

  it('respects the shortened pre-holiday day and the holiday after it', () => {
    expect(next('2026-04-30T16:59:00+03:00')).toBe('2026-04-30T16:59:00.000+03:00');
    expect(next('2026-04-30T17:30:00+03:00')).toBe('2026-05-04T09:00:00.000+03:00');
  });

  it('uses the department zone: the same instant is night in Moscow and morning in Kamchatka', () => {
    const iso = '2026-03-05T21:30:00Z';
    expect(next(iso, 'Asia/Kamchatka')).toBe('2026-03-06T09:30:00.000+12:00');
    expect(next(iso, MSK)).toBe('2026-03-06T09:00:00.000+03:00');
    expect(next(iso, 'Europe/Kaliningrad')).toBe('2026-03-06T09:00:00.000+02:00');
  });

  it('skips a regional holiday', () => {
    const tatarstan = new ProductionCalendar({ regionalHolidays: [{ date: '2026-05-27', name: 'Курбан-байрам' }] });
    expect(formatOffsetDateTime(nextWorkingInstant(new Date('2026-05-26T19:00:00+03:00'), MSK, tatarstan), MSK)).toBe('2026-05-28T09:00:00.000+03:00');
  });

  it('refuses to guess beyond the calendar data', () => {
    expect(() => next('2027-12-31T19:00:00+03:00')).toThrow(/2028/);
  });
});

describe('workingMinutesBetween', () => {
  it('counts only working time', () => {
    // Friday 17:00 → Tuesday 10:00 around the 09.03 transferred day off: 60 + 60 minutes.
    expect(workingMinutesBetween(new Date('2026-03-06T17:00:00+03:00'), new Date('2026-03-10T10:00:00+03:00'), MSK, cal)).toBe(120);
    expect(workingMinutesBetween(new Date('2026-03-10T10:00:00+03:00'), new Date('2026-03-06T17:00:00+03:00'), MSK, cal)).toBe(0);
  });
});
