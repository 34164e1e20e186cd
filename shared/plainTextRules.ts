// The plain-text policy without zod: the predicates, the messages and the exact check that shared/plainText.ts
// builds its zod schemas from. The workflow sandbox (shared/guards.ts) applies the same check, so a value is
// accepted or refused alike by the client and by the workflow.
// Forbidden: C0/C1 controls except TAB/LF/CR, bidi embeddings/overrides/isolates and marks (text spoofing),
// zero-width format characters that hide text, private-use characters (reserved as document-markup sentinels,
// see refusal/documentModel.ts), noncharacters and unpaired surrogates.

const FORBIDDEN_ANYWHERE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200B-\u200F\u202A-\u202E\u2060-\u206F\uE000-\uF8FF\uFEFF\uFFF9-\uFFFB\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LINE_BREAKS = /[\r\n\t\u2028\u2029]/;

/** Multi-line plain text (facts, catalog texts): printable characters plus line breaks and tabs. */
export function isPlainText(value: string): boolean {
  return !FORBIDDEN_ANYWHERE.test(value);
}

/** Single-line plain text (names, numbers, positions). */
export function isPlainLine(value: string): boolean {
  return isPlainText(value) && !LINE_BREAKS.test(value);
}

export const PLAIN_TEXT_RULE = 'только обычный текст, без управляющих символов и символов направления письма (plain text: no control or bidi characters)';
export const PLAIN_LINE_RULE = 'одна строка обычного текста, без управляющих символов и символов направления письма (single line of plain text: no control or bidi characters)';

export const expectedStringMessage = (field: string) => `${field}: ожидается строка (string expected)`;
export const tooLongMessage = (field: string, max: number) => `${field}: не более ${max} символов (at most ${max} characters)`;
export const emptyMessage = (field: string) => `${field} не может быть пустым (must not be empty)`;
export const plainRuleMessage = (field: string, multiline: boolean) => `${field}: ${multiline ? PLAIN_TEXT_RULE : PLAIN_LINE_RULE}`;

/** Length in Unicode code points, as zod measures strings (a paired surrogate is one character). */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    }
  }
  return n;
}

/** The bound checked before anything else: more than two UTF-16 units per allowed character is over for certain. */
export const overBound = (s: string, max: number): boolean => s.length > 2 * max || (s.length > max && codePointLength(s) > max);

export interface PlainOptions {
  /** Minimum length after trimming; 1 by default (an empty value is not a value). */
  min?: number;
  /** Multi-line text (notes, addresses) instead of a single line. */
  multiline?: boolean;
}

/**
 * The whole plain-text check, in the order the zod schema applies it (shared/plainText.ts `plainString`): bounded,
 * trimmed, NFC-normalised, bounded again, not empty, no forbidden characters. The first failure ends it.
 */
export function checkPlainString(value: unknown, field: string, max: number, options: PlainOptions = {}): { ok: true; value: string } | { ok: false; rule: string } {
  if (typeof value !== 'string') return { ok: false, rule: expectedStringMessage(field) };
  if (overBound(value, max)) return { ok: false, rule: tooLongMessage(field, max) };
  const v = value.trim().normalize('NFC');
  if (v.length > max && codePointLength(v) > max) return { ok: false, rule: tooLongMessage(field, max) };
  const min = options.min ?? 1;
  if (v.length < min || (v.length < 2 * min && codePointLength(v) < min)) return { ok: false, rule: emptyMessage(field) };
  if (!(options.multiline ? isPlainText : isPlainLine)(v)) return { ok: false, rule: plainRuleMessage(field, options.multiline ?? false) };
  return { ok: true, value: v };
}

/** `boundedString` without zod: a string of at most `max` characters, untouched. */
export function checkBoundedString(value: unknown, field: string, max: number): { ok: true; value: string } | { ok: false; rule: string } {
  if (typeof value !== 'string') return { ok: false, rule: expectedStringMessage(field) };
  if (overBound(value, max)) return { ok: false, rule: tooLongMessage(field, max) };
  return { ok: true, value };
}
