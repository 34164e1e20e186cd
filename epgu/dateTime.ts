/**
 * Date-time helpers for ЕЛК messages. ЕЛК wants xsd:dateTime with an explicit offset
 * ('2026-03-05T14:00:00.123+03:00'); the worker carries ISO instants plus an IANA zone,
 * so we format with that zone's offset at that instant using Intl only.
 */
import { formatOffsetDateTime, isValidTimeZone, localDateTimeOf } from '../calendar';

export { isValidTimeZone };

/** ISO-8601 instant with a time part and an explicit offset or Z (a bare date is not an instant). */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** xsd:dateTime lexical form (offset optional, as the XSD allows). */
const XSD_DATE_TIME = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

export function isIsoInstant(value: string): boolean {
  const m = ISO_INSTANT.exec(value);
  if (!m) return false;
  const [, y, mo, d, h, mi, s] = m;
  if (!validCalendarDate(Number(y), Number(mo), Number(d))) return false;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? '0') > 59) return false;
  if (!validOffset(m[8]!)) return false;
  return Number.isFinite(Date.parse(value));
}

function validOffset(off: string): boolean {
  if (off === 'Z') return true;
  const hh = Number(off.slice(1, 3));
  const mm = Number(off.slice(4, 6));
  return hh <= 14 && mm <= 59 && (hh < 14 || mm === 0);
}

function validCalendarDate(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false;
  const dim = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= dim;
}


/**
 * Formats an instant as xsd:dateTime in the given IANA zone, always with milliseconds and the
 * zone's UTC offset at that instant, e.g. '2026-03-05T14:00:00.123+03:00' (the department's zone
 * arithmetic lives in calendar/timeZone; this adds what xsd:dateTime cannot express).
 * Sub-millisecond digits of the input are dropped.
 */
export function formatXsdDateTime(instant: string | Date, timeZone: string): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  const epochMs = date.getTime();
  if (!Number.isFinite(epochMs)) throw new RangeError(`invalid instant: ${String(instant)}`);
  if (!isValidTimeZone(timeZone)) throw new RangeError(`unknown time zone: ${timeZone}`);
  // Years before 100 (and pre-1970s local mean times with second-level offsets) are not ЕЛК data.
  if (date.getUTCFullYear() < 100) throw new RangeError(`instant too far in the past: ${String(instant)}`);
  const wall = localDateTimeOf(date, timeZone);
  const wallAsUtc = Date.UTC(Number(wall.date.slice(0, 4)), Number(wall.date.slice(5, 7)) - 1, Number(wall.date.slice(8, 10)), wall.hour, wall.minute, wall.second, wall.millisecond);
  if ((wallAsUtc - epochMs) % 60000 !== 0) {
    throw new RangeError(`time zone ${timeZone} has a non-minute offset at ${date.toISOString()}`);
  }
  return formatOffsetDateTime(date, timeZone);
}

/**
 * Parses an xsd:dateTime into epoch nanoseconds (bigint, so microsecond-suffixed values stay
 * ordered exactly). A value without offset is interpreted with `defaultOffsetMinutes`.
 * Returns undefined for anything that is not a valid xsd:dateTime.
 */
export function parseXsdDateTimeNs(value: string, defaultOffsetMinutes = 180): bigint | undefined {
  const m = XSD_DATE_TIME.exec(value.trim());
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ss, frac, off] = m;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  const h = Number(hs);
  const mi = Number(mis);
  const s = Number(ss);
  if (!validCalendarDate(y, mo, d)) return undefined;
  // xsd allows 24:00:00 as end of day.
  if (h > 24 || mi > 59 || s > 59 || (h === 24 && (mi !== 0 || s !== 0 || (frac && /[1-9]/.test(frac))))) return undefined;
  let offsetMin = defaultOffsetMinutes;
  if (off) {
    if (!validOffset(off)) return undefined;
    offsetMin = off === 'Z' ? 0 : (off[0] === '-' ? -1 : 1) * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6)));
  }
  const base = new Date(0);
  base.setUTCFullYear(y, mo - 1, d);
  base.setUTCHours(h, mi, s, 0);
  const epochSeconds = BigInt(Math.floor(base.getTime() / 1000)) - BigInt(offsetMin * 60);
  const fracNs = frac ? BigInt((frac.slice(1) + '000000000').slice(0, 9)) : 0n;
  return epochSeconds * 1_000_000_000n + fracNs;
}
