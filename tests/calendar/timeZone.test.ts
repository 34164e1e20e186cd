import { RUSSIAN_TIME_ZONES, formatOffsetDateTime, instantOf, isValidTimeZone, localDateOf, offsetMinutesAt } from '../../calendar';

describe('time zones', () => {
  it('converts a local wall time to an instant in Moscow, Kaliningrad and Kamchatka', () => {
    expect(instantOf('2026-03-05', '14:00', 'Europe/Moscow').toISOString()).toBe('2026-03-05T11:00:00.000Z');
    expect(instantOf('2026-03-05', '14:00', 'Europe/Kaliningrad').toISOString()).toBe('2026-03-05T12:00:00.000Z');
    expect(instantOf('2026-03-05', '09:00', 'Asia/Kamchatka').toISOString()).toBe('2026-03-04T21:00:00.000Z');
  });

  it('gives the local date the department sees, not the server date', () => {
    const instant = new Date('2026-03-05T13:30:00Z');
    expect(localDateOf(instant, 'Asia/Kamchatka')).toBe('2026-03-06'); // 01:30 next day
    expect(localDateOf(instant, 'Europe/Moscow')).toBe('2026-03-05');
    expect(localDateOf(new Date('2026-03-05T22:30:00Z'), 'Europe/Kaliningrad')).toBe('2026-03-06'); // 00:30
    expect(localDateOf(new Date('2026-03-05T21:30:00Z'), 'Europe/Kaliningrad')).toBe('2026-03-05'); // 23:30
  });

  it('formats instants with the zone offset', () => {
    const t = new Date('2026-03-05T11:00:00Z');
    expect(formatOffsetDateTime(t, 'Europe/Moscow')).toBe('2026-03-05T14:00:00.000+03:00');
    expect(formatOffsetDateTime(t, 'Europe/Kaliningrad')).toBe('2026-03-05T13:00:00.000+02:00');
    expect(formatOffsetDateTime(t, 'Asia/Kamchatka')).toBe('2026-03-05T23:00:00.000+12:00');
    expect(formatOffsetDateTime(new Date('2026-03-05T11:00:00.123Z'), 'Asia/Omsk')).toBe('2026-03-05T17:00:00.123+06:00');
  });

  it.each([
    ['Europe/Kaliningrad', 120],
    ['Europe/Moscow', 180],
    ['Europe/Samara', 240],
    ['Asia/Yekaterinburg', 300],
    ['Asia/Omsk', 360],
    ['Asia/Krasnoyarsk', 420],
    ['Asia/Irkutsk', 480],
    ['Asia/Yakutsk', 540],
    ['Asia/Vladivostok', 600],
    ['Asia/Magadan', 660],
    ['Asia/Kamchatka', 720],
  ])('%s: offset %i min, 09:00 and 18:00 round-trip', (tz, offset) => {
    for (const [date, hhmm] of [['2026-01-12', '09:00'], ['2026-07-15', '18:00'], ['2027-12-30', '00:00']] as const) {
      const t = instantOf(date, hhmm, tz);
      expect(offsetMinutesAt(t, tz)).toBe(offset);
      expect(formatOffsetDateTime(t, tz).slice(0, 16)).toBe(`${date}T${hhmm}`);
      expect(localDateOf(t, tz)).toBe(date);
    }
  });

  it('knows every zone used by Russian regions', () => {
    for (const tz of RUSSIAN_TIME_ZONES) expect(isValidTimeZone(tz)).toBe(true);
    expect(isValidTimeZone('Europe/Mos')).toBe(false);
  });

  it('handles historical offset changes: repeated wall time → earlier instant, skipped → after the gap', () => {
    // 26.10.2014: Moscow went from +04 to +03 at 02:00, so 01:30 happened twice.
    expect(instantOf('2014-10-26', '01:30', 'Europe/Moscow').toISOString()).toBe('2014-10-25T21:30:00.000Z');
    // 27.03.2011: Moscow went from +03 to +04 at 02:00; 02:30 did not exist.
    expect(formatOffsetDateTime(instantOf('2011-03-27', '02:30', 'Europe/Moscow'), 'Europe/Moscow')).toBe('2011-03-27T03:30:00.000+04:00');
  });

  it('rejects bad input with a readable error', () => {
    expect(() => instantOf('2026-03-05', '25:00', 'Europe/Moscow')).toThrow(/HH:MM/);
    expect(() => instantOf('2026-03-05', '09:00', 'Mars/Olympus')).toThrow(/unknown IANA time zone/);
    expect(() => localDateOf(new Date('nope'), 'Europe/Moscow')).toThrow(/invalid instant/);
  });
});
