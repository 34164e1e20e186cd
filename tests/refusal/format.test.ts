import { addMonthsIso, formatDateRu, fullNameDative, parseIsoDate, pluralRu, pluralFormRu } from '../../refusal/format';

describe('Russian plurals (Intl.PluralRules ru)', () => {
  const days = (n: number) => pluralRu(n, 'рабочий день', 'рабочих дня', 'рабочих дней');
  it.each([
    [1, '1 рабочий день'],
    [2, '2 рабочих дня'],
    [4, '4 рабочих дня'],
    [5, '5 рабочих дней'],
    [11, '11 рабочих дней'],
    [12, '12 рабочих дней'],
    [15, '15 рабочих дней'],
    [21, '21 рабочий день'],
    [22, '22 рабочих дня'],
    [0, '0 рабочих дней'],
    [111, '111 рабочих дней'],
  ])('%i → %s', (n, expected) => expect(days(n)).toBe(expected));

  it('uses the few-form for fractions («1,5 рабочего дня» pattern)', () => {
    expect(pluralRu(1.5, 'рабочий день', 'рабочего дня', 'рабочих дней')).toBe('1,5 рабочего дня');
  });
  it('genitive forms after «в течение»', () => {
    expect(pluralFormRu(3, 'месяца', 'месяцев', 'месяцев')).toBe('месяцев');
    expect(pluralFormRu(1, 'месяца', 'месяцев', 'месяцев')).toBe('месяца');
  });
});

describe('dates', () => {
  it('formats like «5 марта 2026 г.» independent of time zone', () => {
    expect(formatDateRu('2026-03-05')).toBe('5 марта 2026 г.');
    expect(formatDateRu('2026-12-31')).toBe('31 декабря 2026 г.');
    expect(formatDateRu('2027-01-01')).toBe('1 января 2027 г.');
  });
  it('rejects impossible dates', () => {
    expect(parseIsoDate('2026-02-30')).toBeNull();
    expect(parseIsoDate('2026-3-5')).toBeNull();
    expect(() => formatDateRu('05.03.2026')).toThrow(/YYYY-MM-DD/);
  });
  it('adds months as procedural terms do (same day, or last day of a shorter month)', () => {
    expect(addMonthsIso('2026-03-05', 3)).toBe('2026-06-05');
    expect(addMonthsIso('2026-11-30', 3)).toBe('2027-02-28');
    expect(addMonthsIso('2027-11-30', 3)).toBe('2028-02-29');
    expect(addMonthsIso('2026-10-31', 3)).toBe('2027-01-31');
    expect(addMonthsIso('2026-12-15', 3)).toBe('2027-03-15');
  });
});

describe('addressee in the dative case (lvovich)', () => {
  it.each([
    [{ lastName: 'Петров', firstName: 'Иван', middleName: 'Сергеевич' }, 'Петрову Ивану Сергеевичу'],
    [{ lastName: 'Кузнецова', firstName: 'Мария', middleName: 'Ивановна' }, 'Кузнецовой Марии Ивановне'],
    [{ lastName: 'Шевченко', firstName: 'Анна' }, 'Шевченко Анне'],
    [{ lastName: 'Иванов-Петров', firstName: 'Пётр', middleName: 'Ильич' }, 'Иванову-Петрову Петру Ильичу'],
  ])('%o → %s', (person, expected) => expect(fullNameDative(person)).toBe(expected));
});
