// One plain-text policy for every free-text field that reaches ЕЛК, a letter or a clerk's task: shared by intake
// (zod), clerk actions, portal callbacks and the letter renderer.
// Forbidden: C0/C1 controls except TAB/LF/CR, bidi embeddings/overrides/isolates and marks (text spoofing),
// zero-width format characters that hide text, private-use characters (reserved as document-markup sentinels,
// see refusal/documentModel.ts), noncharacters and unpaired surrogates.
import { z } from 'zod';

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

/**
 * A string bounded before anything else looks at it: the length check aborts, so no transform, regex or
 * format check ever runs on an oversized value (a 50 M-character name is a field error, not a RangeError).
 */
export function boundedString(field: string, max: number): z.ZodString {
  const message = `${field}: не более ${max} символов (at most ${max} characters)`;
  return z
    .string({ message: `${field}: ожидается строка (string expected)` })
    // zod counts code points (O(n)) once a string is over; more than two UTF-16 units per allowed character is
    // over for certain, so a 50 M-character value is refused in constant time.
    .refine((s) => s.length <= 2 * max, { abort: true, message })
    .max(max, { abort: true, message });
}

interface PlainOptions {
  /** Minimum length after trimming; 1 by default (an empty value is not a value). */
  min?: number;
  /** Multi-line text (notes, addresses) instead of a single line. */
  multiline?: boolean;
}

/**
 * Free text under the plain-text policy: bounded first, then trimmed and NFC-normalised (so the same name
 * typed on two keyboards is the same string), then checked for forbidden characters.
 */
export function plainString(field: string, max: number, options: PlainOptions = {}): z.ZodString {
  const min = options.min ?? 1;
  return boundedString(field, max)
    .trim()
    .overwrite((s) => s.normalize('NFC'))
    // NFC may lengthen a few rare sequences: the bound holds for what is stored, too.
    .max(max, { abort: true, message: `${field}: не более ${max} символов (at most ${max} characters)` })
    .min(min, { abort: true, message: `${field} не может быть пустым (must not be empty)` })
    .refine(options.multiline ? isPlainText : isPlainLine, {
      abort: true,
      message: `${field}: ${options.multiline ? PLAIN_TEXT_RULE : PLAIN_LINE_RULE}`,
    });
}
