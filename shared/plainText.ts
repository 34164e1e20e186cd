// Plain-text policy for anything printed on a letter or report: shared by intake (zod) and the letter renderer.
// C0/C1 controls except TAB/LF/CR, bidi overrides (text spoofing), private-use characters (reserved as
// document-markup sentinels, see documentModel.ts) and unpaired surrogates.
const FORBIDDEN_ANYWHERE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uE000-\uF8FF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LINE_BREAKS = /[\r\n\t\u2028\u2029]/;

/** Multi-line plain text (facts, catalog texts): printable characters plus line breaks and tabs. */
export function isPlainText(value: string): boolean {
  return !FORBIDDEN_ANYWHERE.test(value);
}

/** Single-line plain text (names, numbers, positions). */
export function isPlainLine(value: string): boolean {
  return isPlainText(value) && !LINE_BREAKS.test(value);
}
