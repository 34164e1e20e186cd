// The wall clock is read from a per-hour offset cache instead of Intl on every call: it must read exactly what
// Intl reads, in every Russian zone, across the offset changes of 2011, 2014 and 2016–2020, and in a zone with
// summer time, including the hours that hold a transition.
import fc from 'fast-check';
import { RUSSIAN_TIME_ZONES, localDateTimeOf, offsetMinutesAt } from '../../calendar';

const ZONES = [...RUSSIAN_TIME_ZONES, 'Europe/Berlin', 'Asia/Kolkata', 'America/St_Johns'];

function intlReading(t: number, tz: string) {
  const parts: Record<string, string> = {};
  const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  for (const p of f.formatToParts(new Date(t))) parts[p.type] = p.value;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second) };
}

function expectSameAsIntl(t: number, tz: string): void {
  const got = localDateTimeOf(new Date(t), tz);
  expect({ tz, t, date: got.date, hour: got.hour, minute: got.minute, second: got.second }).toEqual({ tz, t, ...intlReading(t, tz) });
}

describe('wall clock through the per-hour offset cache', () => {
  it('reads what Intl reads at random instants from 2000 to 2035', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2035, 11, 31) }), fc.constantFrom(...ZONES), (t, tz) => {
        expectSameAsIntl(t, tz);
        expectSameAsIntl(t, tz); // the second reading comes from the cache
      }),
      { numRuns: 3000 },
    );
  });

  it('reads what Intl reads minute by minute around known offset changes', () => {
    const changes: Array<[string, string]> = [
      ['Europe/Moscow', '2011-03-26T23:00:00Z'], // to permanent UTC+4
      ['Europe/Moscow', '2014-10-25T22:00:00Z'], // back to UTC+3
      ['Europe/Saratov', '2016-12-03T23:00:00Z'],
      ['Europe/Volgograd', '2020-12-26T22:00:00Z'],
      ['Asia/Magadan', '2016-04-23T14:00:00Z'],
      ['Europe/Berlin', '2026-03-29T01:00:00Z'],
      ['Europe/Berlin', '2026-10-25T01:00:00Z'],
      ['America/St_Johns', '2026-03-08T05:30:00Z'], // mid-hour in UTC: the hour that holds it reads through Intl
    ];
    let checked = 0;
    for (const [tz, at] of changes) {
      const centre = Date.parse(at);
      for (let t = centre - 3 * 3_600_000; t <= centre + 3 * 3_600_000; t += 60_000) {
        expectSameAsIntl(t, tz);
        const { date, hour, minute, second } = intlReading(t, tz);
        const wall = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), hour, minute, second);
        expect(offsetMinutesAt(new Date(t), tz)).toBe(Math.round((wall - t) / 60000));
        checked++;
      }
    }
    expect(checked).toBe(changes.length * 361);
  });
});
