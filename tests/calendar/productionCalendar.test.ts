import { CalendarCoverageError, ProductionCalendar, addDays, defaultProductionCalendar, localDate, yearOf } from '../../calendar';

const cal = defaultProductionCalendar();

describe('production calendar: pinned federal dates', () => {
  it.each([
    ['2025-11-01', 'shortened'], // working Saturday (перенос на 03.11), also pre-holiday
    ['2025-11-03', 'dayOff'],
    ['2025-05-02', 'dayOff'],
    ['2025-05-08', 'dayOff'],
    ['2025-06-13', 'dayOff'],
    ['2025-12-31', 'dayOff'],
    ['2025-03-07', 'shortened'],
    ['2025-04-30', 'shortened'],
    ['2025-06-11', 'shortened'],
    ['2026-03-09', 'dayOff'],
    ['2026-05-11', 'dayOff'],
    ['2026-12-31', 'dayOff'],
    ['2026-04-30', 'shortened'],
    ['2026-05-08', 'shortened'],
    ['2026-06-11', 'shortened'],
    ['2026-11-03', 'shortened'],
    ['2026-01-12', 'working'],
    ['2026-12-30', 'working'], // the day before a transferred day off is not shortened
    ['2024-04-27', 'working'], // working Saturday
    ['2024-12-28', 'working'], // working Saturday
    ['2024-11-02', 'shortened'],
    ['2024-12-30', 'dayOff'],
    ['2027-02-20', 'shortened'], // working Saturday, перенос на 22.02
    ['2027-02-22', 'dayOff'],
    ['2027-11-05', 'dayOff'],
    ['2027-12-31', 'dayOff'],
  ] as const)('%s is %s', (date, kind) => {
    expect(cal.dayKind(date)).toBe(kind);
  });

  it('2026-01-01 … 2026-01-09 are all days off and 2026-01-12 is the first working day', () => {
    for (let d = 1; d <= 11; d++) expect(cal.isWorkingDay(`2026-01-${String(d).padStart(2, '0')}`)).toBe(false);
    expect(cal.nextWorkingDay('2025-12-30')).toBe('2026-01-12');
  });

  it('explains why a day is off', () => {
    expect(cal.dayInfo('2025-05-02')).toEqual({ date: '2025-05-02', kind: 'dayOff', reason: 'transferredDayOff', transferredFrom: '2025-01-04' });
    expect(cal.dayInfo('2026-05-09')).toMatchObject({ kind: 'dayOff', reason: 'holiday', name: 'День Победы' });
    expect(cal.dayInfo('2025-11-01')).toMatchObject({ kind: 'shortened', reason: 'workingWeekend' });
  });

  it('matches the official annual working-time norms (40-hour week) when Presidential non-working days are treated as working', () => {
    const laborCode = new ProductionCalendar({ nonWorkingPaid: 'working' });
    const norms: Record<number, [days: number, hours: number]> = {
      2020: [248, 1979], 2021: [247, 1972], 2022: [247, 1973], 2023: [247, 1973],
      2024: [248, 1979], 2025: [247, 1972], 2026: [247, 1972], 2027: [247, 1972],
    };
    for (const [year, [days, hours]] of Object.entries(norms)) {
      let working = 0;
      let shortened = 0;
      for (let d = localDate(`${year}-01-01`); yearOf(d) === Number(year); d = addDays(d, 1)) {
        const k = laborCode.dayKind(d);
        if (k !== 'dayOff') working++;
        if (k === 'shortened') shortened++;
      }
      expect({ year, working, hours: working * 8 - shortened }).toEqual({ year, working: days, hours });
    }
  });
});

describe('production calendar: COVID and other Presidential non-working days', () => {
  it('counts 2020 and 2021 non-working days with pay as days off by default', () => {
    for (const d of ['2020-03-30', '2020-04-15', '2020-04-30', '2020-05-08', '2020-06-24', '2020-07-01', '2021-05-05', '2021-11-02']) {
      expect(cal.dayInfo(d)).toMatchObject({ kind: 'dayOff', reason: 'nonWorkingPaid' });
    }
  });

  it('can restore the Labour Code view for a department that needs it', () => {
    const laborCode = new ProductionCalendar({ nonWorkingPaid: 'working' });
    expect(laborCode.dayKind('2020-04-15')).toBe('working');
    expect(laborCode.dayKind('2020-04-30')).toBe('shortened'); // would have been pre-holiday
    expect(laborCode.dayKind('2021-11-03')).toBe('shortened');
    expect(laborCode.version).not.toBe(cal.version);
  });
});

describe('production calendar: term arithmetic', () => {
  it('2025-12-26 + 5 working days is 2026-01-14 (start date not counted)', () => {
    expect(cal.addWorkingDays('2025-12-26', 5)).toBe('2026-01-14');
  });

  it('workingDaysBetween is the inverse of addWorkingDays, also backwards', () => {
    expect(cal.workingDaysBetween('2025-12-26', '2026-01-14')).toBe(5);
    expect(cal.workingDaysBetween('2026-01-14', '2025-12-26')).toBe(-5);
    expect(cal.addWorkingDays('2026-01-14', -5)).toBe('2025-12-26');
    expect(cal.addWorkingDays('2026-01-10', 0)).toBe('2026-01-10');
    for (const n of [1, 7, 15, 30, 60]) expect(cal.workingDaysBetween('2026-04-28', cal.addWorkingDays('2026-04-28', n))).toBe(n);
  });

  it('a calendar-day term ending on a non-working day moves to the next working day', () => {
    expect(cal.addCalendarDays('2025-12-02', 30)).toBe('2026-01-12'); // 2026-01-01 → first working day
    expect(cal.addCalendarDays('2026-03-04', 3)).toBe('2026-03-10'); // Saturday 07.03 → Tuesday (09.03 is off)
    expect(cal.addCalendarDays('2026-03-02', 3)).toBe('2026-03-05'); // a working day stays
  });
});

describe('production calendar: coverage', () => {
  it('reports the covered years', () => {
    expect(cal.coverage).toEqual({ firstYear: 2020, lastYear: 2027 });
  });

  it('refuses a day outside the data instead of treating it as a working day', () => {
    expect(() => cal.dayKind('2028-03-01')).toThrow(CalendarCoverageError);
    expect(() => cal.dayKind('2019-12-31')).toThrow(CalendarCoverageError);
  });

  it('refuses a term that crosses past 2027 with a message telling the operator to update the calendar', () => {
    let error: unknown;
    try {
      cal.addWorkingDays('2027-12-20', 10);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CalendarCoverageError);
    const err = error as CalendarCoverageError;
    expect(err.year).toBe(2028);
    expect(err.message).toMatch(/Производственный календарь не содержит данных за 2028 год/);
    expect(err.message).toMatch(/Обновите производственный календарь \(calendar\/data\/ru\/2028\.json\)/);
    expect(err.message).toMatch(/update the production calendar/i);
  });

  it('rejects malformed dates', () => {
    expect(() => cal.dayKind('2026-02-30')).toThrow(RangeError);
    expect(() => cal.dayKind('05.03.2026')).toThrow(RangeError);
  });
});

describe('production calendar: regional holidays', () => {
  // Tatarstan 2026 (example config): Ураза-байрам, Курбан-байрам, Constitution Day of the Republic.
  const tatarstan = new ProductionCalendar({
    regionalHolidays: [
      { date: '2026-03-20', name: 'Ураза-байрам' },
      { date: '2026-05-27', name: 'Курбан-байрам' },
      { date: '2026-11-06', name: 'День Конституции Республики Татарстан' },
    ],
  });

  it('makes regional holidays days off without touching the federal calendar', () => {
    expect(tatarstan.dayInfo('2026-05-27')).toMatchObject({ kind: 'dayOff', reason: 'regionalHoliday', name: 'Курбан-байрам' });
    expect(cal.dayKind('2026-05-27')).toBe('working');
  });

  it('shifts working-day terms over a regional holiday', () => {
    expect(cal.addWorkingDays('2026-05-26', 1)).toBe('2026-05-27');
    expect(tatarstan.addWorkingDays('2026-05-26', 1)).toBe('2026-05-28');
  });

  it('gives the regional calendar its own version, stable across instances and input order', () => {
    const same = new ProductionCalendar({
      regionalHolidays: [
        { date: '2026-11-06', name: 'День Конституции Республики Татарстан' },
        { date: '2026-05-27', name: 'Курбан-байрам' },
        { date: '2026-03-20', name: 'Ураза-байрам' },
      ],
    });
    expect(same.version).toBe(tatarstan.version);
    expect(tatarstan.version).not.toBe(cal.version);
    expect(new ProductionCalendar().version).toBe(cal.version);
    expect(cal.version).toMatch(/^ru-2020-2027-[0-9a-f]{16}$/);
  });

  it('rejects an invalid regional holiday config', () => {
    expect(() => new ProductionCalendar({ regionalHolidays: [{ date: '2026-13-01', name: 'x' }] })).toThrow();
    expect(() => new ProductionCalendar({ regionalHolidays: [{ date: '2026-08-30', name: '  ' }] })).toThrow();
  });
});
