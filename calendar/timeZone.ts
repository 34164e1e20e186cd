// Instant ↔ local wall time for a department's IANA zone, with Intl only (works in Node and in the
// Temporal workflow sandbox). Departments span Kaliningrad (UTC+2) to Kamchatka (UTC+12), so a
// deadline or reminder is always computed in the department's zone, never the server's.
import { localDate, localDateFromParts, type LocalDate } from './localDate';

/** The IANA zones used by Russian federal subjects. */
export const RUSSIAN_TIME_ZONES = [
  'Europe/Kaliningrad',
  'Europe/Moscow',
  'Europe/Simferopol',
  'Europe/Kirov',
  'Europe/Volgograd',
  'Europe/Astrakhan',
  'Europe/Saratov',
  'Europe/Ulyanovsk',
  'Europe/Samara',
  'Asia/Yekaterinburg',
  'Asia/Omsk',
  'Asia/Novosibirsk',
  'Asia/Barnaul',
  'Asia/Tomsk',
  'Asia/Novokuznetsk',
  'Asia/Krasnoyarsk',
  'Asia/Irkutsk',
  'Asia/Chita',
  'Asia/Yakutsk',
  'Asia/Khandyga',
  'Asia/Vladivostok',
  'Asia/Ust-Nera',
  'Asia/Magadan',
  'Asia/Sakhalin',
  'Asia/Srednekolymsk',
  'Asia/Kamchatka',
  'Asia/Anadyr',
] as const;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      throw new RangeError(`Неизвестный часовой пояс «${tz}» / unknown IANA time zone "${tz}"`);
    }
    formatters.set(tz, f);
  }
  return f;
}

/** True for an IANA zone name this runtime's Intl knows. */
export function isValidTimeZone(tz: string): boolean {
  try {
    formatterFor(tz);
    return true;
  } catch {
    return false;
  }
}

export interface LocalDateTime {
  date: LocalDate;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

function toDate(instant: Date | string): Date {
  const d = typeof instant === 'string' ? new Date(instant) : instant;
  if (!Number.isFinite(d.getTime())) throw new RangeError(`Некорректный момент времени / invalid instant: ${String(instant)}`);
  return d;
}

/** Wall-clock reading of `instant` in `tz`, read through Intl (the slow path; see `offsetInHour`). */
function intlLocalDateTimeOf(d: Date, tz: string): LocalDateTime {
  const p: Record<string, string> = {};
  for (const part of formatterFor(tz).formatToParts(d)) p[part.type] = part.value;
  const ms = ((d.getTime() % 1000) + 1000) % 1000;
  return {
    date: localDateFromParts(Number(p.year), Number(p.month), Number(p.day)),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
    millisecond: ms,
  };
}

function intlOffsetMinutesAt(d: Date, tz: string): number {
  const l = intlLocalDateTimeOf(d, tz);
  const wallAsUtc = Date.UTC(Number(l.date.slice(0, 4)), Number(l.date.slice(5, 7)) - 1, Number(l.date.slice(8, 10)), l.hour, l.minute, l.second, l.millisecond);
  return Math.round((wallAsUtc - d.getTime()) / 60000);
}

// Deadline arithmetic reads the wall clock hundreds of times per computation, and Intl's formatToParts was ~2.5 ms
// of worker CPU per application. A zone's offset is the same at both ends of an hour in all but the hours that hold
// a transition, so the offset is cached per (zone, UTC hour) and such hours (null) keep reading through Intl.
const HOUR_MS = 3_600_000;
const offsetByHour = new Map<string, number | null>();
const OFFSET_CACHE_LIMIT = 50_000;

function offsetInHour(t: number, tz: string): number | null {
  const hour = Math.floor(t / HOUR_MS);
  const key = `${tz}|${hour}`;
  const cached = offsetByHour.get(key);
  if (cached !== undefined) return cached;
  const first = intlOffsetMinutesAt(new Date(hour * HOUR_MS), tz);
  const last = intlOffsetMinutesAt(new Date(hour * HOUR_MS + HOUR_MS - 1), tz);
  const offset = first === last ? first : null;
  if (offsetByHour.size >= OFFSET_CACHE_LIMIT) offsetByHour.clear();
  offsetByHour.set(key, offset);
  return offset;
}

/** Wall-clock reading of `instant` in `tz`. */
export function localDateTimeOf(instant: Date | string, tz: string): LocalDateTime {
  const d = toDate(instant);
  const offset = offsetInHour(d.getTime(), tz);
  if (offset === null) return intlLocalDateTimeOf(d, tz);
  const w = new Date(d.getTime() + offset * 60_000);
  return {
    date: localDateFromParts(w.getUTCFullYear(), w.getUTCMonth() + 1, w.getUTCDate()),
    hour: w.getUTCHours(),
    minute: w.getUTCMinutes(),
    second: w.getUTCSeconds(),
    millisecond: w.getUTCMilliseconds(),
  };
}

/** The local calendar date of `instant` in `tz`. */
export function localDateOf(instant: Date | string, tz: string): LocalDate {
  return localDateTimeOf(instant, tz).date;
}

/** UTC offset of `tz` at `instant`, in minutes (Moscow: +180). */
export function offsetMinutesAt(instant: Date | string, tz: string): number {
  const d = toDate(instant);
  return offsetInHour(d.getTime(), tz) ?? intlOffsetMinutesAt(d, tz);
}

const HHMM_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Parses 'HH:MM' (00:00–23:59) to minutes after midnight. */
export function parseHhMm(hhmm: string): number {
  const m = HHMM_RE.exec(hhmm);
  if (!m) throw new RangeError(`Некорректное время «${hhmm}», ожидается ЧЧ:ММ / invalid time "${hhmm}", expected HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * The instant at which the wall clock in `tz` shows `date` `hhmm` (or `minutes` after local midnight).
 * For a wall time skipped by an offset change the later offset wins; for a repeated one, the earlier instant.
 */
export function instantOf(date: string, hhmm: string | number, tz: string): Date {
  const d = localDate(date);
  const minutes = typeof hhmm === 'number' ? hhmm : parseHhMm(hhmm);
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > 24 * 60) throw new RangeError(`instantOf: minutes out of range: ${minutes}`);
  const wallAsUtc = Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)), 0, minutes);
  // Offsets in force a day before and a day after bracket any single transition near this wall time.
  const offsets = [offsetMinutesAt(new Date(wallAsUtc - 86400000), tz), offsetMinutesAt(new Date(wallAsUtc + 86400000), tz)];
  const valid = offsets.map((o) => wallAsUtc - o * 60000).filter((t) => offsetMinutesAt(new Date(t), tz) * 60000 === wallAsUtc - t);
  // Repeated wall time (clocks set back): the earlier instant. Skipped wall time (clocks set forward):
  // the pre-transition offset, which lands after the gap — the usual "compatible" disambiguation.
  if (valid.length > 0) return new Date(Math.min(...valid));
  return new Date(wallAsUtc - (offsets[0] as number) * 60000);
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** ISO 8601 with the zone's offset at that instant, e.g. '2026-03-05T14:00:00.000+03:00'. */
export function formatOffsetDateTime(instant: Date | string, tz: string): string {
  const d = toDate(instant);
  const l = localDateTimeOf(d, tz);
  const off = offsetMinutesAt(d, tz);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${l.date}T${pad(l.hour)}:${pad(l.minute)}:${pad(l.second)}.${pad(l.millisecond, 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
