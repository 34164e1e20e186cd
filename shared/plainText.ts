// One plain-text policy for every free-text field that reaches ЕЛК, a letter or a clerk's task: shared by intake
// (zod), clerk actions, portal callbacks and the letter renderer.
// What is forbidden, and the same check without zod for the workflow sandbox: shared/plainTextRules.ts.
import { z } from 'zod';
import { emptyMessage, expectedStringMessage, isPlainLine, isPlainText, plainRuleMessage, PlainOptions, tooLongMessage } from './plainTextRules';

export { isPlainText, isPlainLine, PLAIN_TEXT_RULE, PLAIN_LINE_RULE, type PlainOptions } from './plainTextRules';

/**
 * A string bounded before anything else looks at it: the length check aborts, so no transform, regex or
 * format check ever runs on an oversized value (a 50 M-character name is a field error, not a RangeError).
 */
export function boundedString(field: string, max: number): z.ZodString {
  const message = tooLongMessage(field, max);
  return z
    .string({ message: expectedStringMessage(field) })
    // zod counts code points (O(n)) once a string is over; more than two UTF-16 units per allowed character is
    // over for certain, so a 50 M-character value is refused in constant time.
    .refine((s) => s.length <= 2 * max, { abort: true, message })
    .max(max, { abort: true, message });
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
    .max(max, { abort: true, message: tooLongMessage(field, max) })
    .min(min, { abort: true, message: emptyMessage(field) })
    .refine(options.multiline ? isPlainText : isPlainLine, {
      abort: true,
      message: plainRuleMessage(field, options.multiline ?? false),
    });
}
