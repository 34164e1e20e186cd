// The dates an application may lawfully carry. Checked at intake (client and workflow entry) so a typo of a year
// is a field error at the boundary, not a term computed against a calendar that has no data for it. No zod here:
// the workflow sandbox loads this file.
import type { FieldProblem } from './validationTypes';

/**
 * Earliest receipt: the first day of the bundled production calendar (calendar/data/ru/2020.json). Every case is
 * counted in working days of that calendar; a receipt before it could never get a deadline (the clock would retry
 * for ever). 210-ФЗ, under which these applications are filed, is in force since 2010, so nothing lawful is cut off
 * that the product could still compute; a department migrating older cases extends the calendar first.
 */
export const RECEIVED_AT_EARLIEST = '2020-01-01T00:00:00+03:00';

/**
 * Receipt is a past event: at most this far ahead of the receiving clock (workflow time inside the workflow, so the
 * check replays identically). Five minutes absorbs clock skew between the case system and the worker.
 */
export const RECEIVED_AT_MAX_AHEAD_MS = 5 * 60_000;

/**
 * Oldest applicant, in years before the receipt date. The longest verified human life is 122 years 164 days
 * (Jeanne Calment, 1875–1997, Guinness World Records); 1900 is therefore impossible for a 2026 application.
 * A birth date after receipt is impossible too.
 */
export const BIRTH_DATE_MAX_AGE_YEARS = 123;

/**
 * Receipt is a past event: `receivedAt` at most RECEIVED_AT_MAX_AHEAD_MS ahead of `nowMs` (the client's clock; in the
 * workflow, workflow time, so the check replays identically). Null when it is lawful.
 */
export function receivedAtProblem(receivedAt: string, nowMs: number): FieldProblem | null {
  return Date.parse(receivedAt) <= nowMs + RECEIVED_AT_MAX_AHEAD_MS
    ? null
    : { field: 'receivedAt', rule: 'дата поступления: не позже текущего момента (must not be in the future)' };
}
