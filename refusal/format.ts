/**
 * Russian formatting primitives shared by templates and the context builder.
 * All dates are calendar dates ('YYYY-MM-DD') handled in UTC so that output never depends on the
 * worker's time zone (letters must render identically on every worker and on Temporal retries).
 */
import { incline } from 'lvovich';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses 'YYYY-MM-DD' into a UTC Date, or null when it is not a real calendar date (e.g. 2026-02-30). */
export function parseIsoDate(value: string): Date | null {
  const m = ISO_DATE.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  // Date.UTC silently rolls 30 February over to March; reject instead.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date;
}

export function isIsoDate(value: string): boolean {
  return parseIsoDate(value) !== null;
}

function requireIsoDate(value: string): Date {
  const date = parseIsoDate(value);
  if (!date) throw new TypeError(`Not a calendar date in YYYY-MM-DD form: ${JSON.stringify(value)}`);
  return date;
}

function toIso(date: Date): string {
  return date.toISOString().slice(0, 10);
}

const LONG_DATE = new Intl.DateTimeFormat('ru-RU', { dateStyle: 'long', timeZone: 'UTC' });

/** '2026-03-05' → «5 марта 2026 г.» (genitive month, as in Russian official letters). */
export function formatDateRu(isoDate: string): string {
  return LONG_DATE.format(requireIsoDate(isoDate));
}

/**
 * Adds calendar months the way procedural codes count month terms (e.g. КАС РФ ст. 93): the term ends
 * on the same day number of the last month, or on that month's last day when the number does not exist
 * (30 November + 3 months → 28/29 February).
 */
export function addMonthsIso(isoDate: string, months: number): string {
  const d = requireIsoDate(isoDate);
  const targetMonthIndex = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), targetMonthIndex + 1, 0)).getUTCDate();
  return toIso(new Date(Date.UTC(d.getUTCFullYear(), targetMonthIndex, Math.min(d.getUTCDate(), lastDay))));
}

export function addYearsIso(isoDate: string, years: number): string {
  return addMonthsIso(isoDate, years * 12);
}

const PLURAL_RU = new Intl.PluralRules('ru');

/**
 * Picks the Russian word form for a count: one (1, 21), few (2–4, 22), many (0, 5–20, 11–14).
 * Fractions fall into 'other', which takes the genitive singular — the same form as 'few'
 * («1,5 рабочего дня» / «1,5 рабочих дня» both read as few-form).
 */
export function pluralFormRu(count: number, one: string, few: string, many: string): string {
  switch (PLURAL_RU.select(count)) {
    case 'one':
      return one;
    case 'few':
    case 'other':
      return few;
    default:
      return many;
  }
}

const NUMBER_RU = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 2, useGrouping: true });

/** 1500 → «1 500» (ru-RU grouping with a no-break space). */
export function formatNumberRu(value: number): string {
  return NUMBER_RU.format(value);
}

/** «5 рабочих дней» — number and agreed word form. */
export function pluralRu(count: number, one: string, few: string, many: string): string {
  return `${formatNumberRu(count)} ${pluralFormRu(count, one, few, many)}`;
}

export interface PersonName {
  lastName: string;
  firstName: string;
  middleName?: string;
  gender?: 'male' | 'female';
}

/** Gender from the patronymic when it is not given: «-вна/-чна/-кызы» female, «-вич/-ич/-оглы» male. */
function genderOf(person: PersonName): 'male' | 'female' | null {
  if (person.gender) return person.gender;
  const middle = person.middleName?.trim().toLowerCase() ?? '';
  if (/(вна|чна|кызы|гызы)$/u.test(middle)) return 'female';
  if (/(ич|оглы|улы|уулу)$/u.test(middle)) return 'male';
  return null;
}

/**
 * Feminine first names of the third declension (Любовь, Нинель, Адель, Юдифь): dative in «-и». lvovich 2.1.0
 * returns them unchanged even with `gender: 'female'` («Соколовой Любовь Павловне»), so this rule runs after it.
 * Masculine names in «-ь» (Игорь, Лев) are declined by lvovich itself.
 */
function feminineSoftSignDative(first: string, inclined: string): string {
  return inclined === first && /[бвдзлмнпрстфц]ь$/u.test(first) ? `${first.slice(0, -1)}и` : inclined;
}

/** «Петров Иван Сергеевич» → «Петрову Ивану Сергеевичу» (addressee line of a letter). */
export function fullNameDative(person: PersonName): string {
  const gender = genderOf(person);
  const inclined = incline(
    { last: person.lastName, first: person.firstName, middle: person.middleName ?? null, gender },
    'dative',
  );
  // lvovich returns the input unchanged for names it cannot decline; fall back per part rather than drop one.
  let first = inclined.first ?? person.firstName;
  if (gender === 'female') first = feminineSoftSignDative(person.firstName, first);
  const parts = [inclined.last ?? person.lastName, first];
  if (person.middleName) parts.push(inclined.middle ?? person.middleName);
  return parts.join(' ');
}

// --- plain-text policy: shared/plainText.ts (also used at intake) ---------------------------------
export { isPlainLine, isPlainText } from '../shared';
