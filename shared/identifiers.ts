// Checksums of Russian personal identifiers. Pure functions: used by zod schemas at every boundary.

/** СНИЛС: 11 digits, the last two are a checksum of the first nine (rules of the Pension Fund). */
export function isValidSnils(value: string): boolean {
  const digits = value.replace(/[\s-]/g, '');
  if (!/^\d{11}$/.test(digits)) return false;
  const body = digits.slice(0, 9);
  const check = Number(digits.slice(9));
  // Numbers up to 001-001-998 were issued before checksums existed.
  if (Number(body) <= 1001998) return true;
  return snilsCheckNumber(body) === check;
}

/** The two check digits of a СНИЛС body (9 digits): weighted sum mod 101, where 100 counts as 00. */
function snilsCheckNumber(body: string): number {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(body[i]) * (9 - i);
  const check = sum % 101;
  return check === 100 ? 0 : check;
}

/** A СНИЛС with its check digits for a 9-digit body, formatted 'XXX-XXX-XXX YY' (demo and test data). */
export function snilsWithChecksum(body: number | string): string {
  const d = String(body).padStart(9, '0');
  return formatSnils(`${d}${String(snilsCheckNumber(d)).padStart(2, '0')}`);
}

/** Formats an 11-digit СНИЛС as ЕЛК expects it: 'XXX-XXX-XXX YY'. */
export function formatSnils(value: string): string {
  const d = value.replace(/[\s-]/g, '');
  return `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6, 9)} ${d.slice(9)}`;
}

function innCheckDigit(digits: string, weights: number[]): number {
  const sum = weights.reduce((acc, w, i) => acc + w * Number(digits[i]), 0);
  return (sum % 11) % 10;
}

/** ИНН: 10 digits for an organisation, 12 for a person or sole trader, with check digits. */
export function innProblem(value: string, kind: 'person' | 'organization'): string | null {
  const expectedLength = kind === 'person' ? 12 : 10;
  if (!/^\d+$/.test(value)) return 'ИНН должен состоять только из цифр';
  if (value.length !== expectedLength) {
    return `ИНН ${kind === 'person' ? 'физического лица' : 'организации'} должен содержать ${expectedLength} цифр, получено ${value.length}`;
  }
  if (kind === 'organization') {
    return innCheckDigit(value, [2, 4, 10, 3, 5, 9, 4, 6, 8]) === Number(value[9]) ? null : 'неверная контрольная сумма ИНН';
  }
  const c11 = innCheckDigit(value, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
  const c12 = innCheckDigit(value, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
  return c11 === Number(value[10]) && c12 === Number(value[11]) ? null : 'неверная контрольная сумма ИНН';
}
