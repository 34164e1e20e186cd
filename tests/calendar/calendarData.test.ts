import { ProductionCalendar, bundledCalendarYears, parseCalendarYear } from '../../calendar';

const base = {
  year: 2030,
  country: 'ru',
  source: 'test',
  decree: { number: '1', date: '2029-09-01', title: 'Постановление' },
  generatedAt: '2029-09-02',
  days: [] as unknown[],
};

describe('bundled calendar data', () => {
  it('has one validated file per year 2020–2027, each citing its Government decree', () => {
    const years = bundledCalendarYears();
    expect(years.map((y) => y.year)).toEqual([2020, 2021, 2022, 2023, 2024, 2025, 2026, 2027]);
    expect(Object.fromEntries(years.map((y) => [y.year, `${y.decree.number} от ${y.decree.date}`]))).toEqual({
      2020: '875 от 2019-07-10',
      2021: '1648 от 2020-10-10',
      2022: '1564 от 2021-09-16',
      2023: '1505 от 2022-08-29',
      2024: '1314 от 2023-08-10',
      2025: '1335 от 2024-10-04',
      2026: '1466 от 2025-09-24',
      2027: '1187 от 2026-09-17',
    });
    for (const y of years) expect(y.decree.title).toContain(`О переносе выходных дней в ${y.year} году`);
  });

  it('lists every transferred day off with the day it came from, inside the same year', () => {
    for (const y of bundledCalendarYears()) {
      for (const d of y.days) if (d.kind === 'transferredDayOff') expect(d.from?.slice(0, 4)).toBe(String(y.year));
    }
  });
});

describe('calendar data validation (an edited file must fail loudly)', () => {
  it('accepts a well-formed year', () => {
    const y = parseCalendarYear({ ...base, days: [{ date: '2030-01-01', kind: 'holiday', name: 'Новогодние каникулы' }] });
    expect(y.days).toHaveLength(1);
  });

  it.each([
    ['a working weekend that is not a weekend', [{ date: '2030-01-14', kind: 'workingWeekend' }]],
    ['a transferred day off on a Saturday', [{ date: '2030-01-12', kind: 'transferredDayOff' }]],
    ['a date from another year', [{ date: '2031-01-01', kind: 'holiday', name: 'x' }]],
    ['a duplicated date', [{ date: '2030-03-07', kind: 'shortened' }, { date: '2030-03-07', kind: 'shortened' }]],
    ['an impossible date', [{ date: '2030-02-29', kind: 'shortened' }]],
    ['an unknown kind', [{ date: '2030-03-07', kind: 'halfDay' }]],
  ])('rejects %s', (_label, days) => {
    expect(() => parseCalendarYear({ ...base, days })).toThrow(/production calendar 2030 is invalid/);
  });

  it('refuses a set of years with a gap, which would silently drop a year of holidays', () => {
    const y2030 = { ...base, days: [] };
    const y2032 = { ...base, year: 2032, days: [] };
    expect(() => new ProductionCalendar({ years: [y2030, y2032] })).toThrow(/contiguous/);
  });

  it('derives coverage and version from replacement data', () => {
    const cal = new ProductionCalendar({ years: [{ ...base, days: [] }] });
    expect(cal.coverage).toEqual({ firstYear: 2030, lastYear: 2030 });
    expect(cal.version).toMatch(/^ru-2030-2030-/);
    expect(cal.dayKind('2030-01-01')).toBe('working'); // no holidays given → plain Tuesday
  });
});

describe('calendar version', () => {
  it('names the data: the same years give the same version, a changed day another', () => {
    const one = new ProductionCalendar({ years: [{ ...base, days: [] }] });
    const again = new ProductionCalendar({ years: [{ ...base, days: [] }] });
    expect(again.version).toBe(one.version);
    expect(one.version).toMatch(/^ru-2030-2030-[0-9a-f]{16}$/);
    const changed = new ProductionCalendar({ years: [{ ...base, days: [{ date: '2030-01-01', kind: 'holiday', name: 'Новый год' }] }] });
    expect(changed.version).not.toBe(one.version);
  });
});
