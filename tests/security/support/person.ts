// One applicant with every kind of personal value, and every form each value could take when leaked.
import { snilsFor } from '../../support/harness';
import { snilsForms } from './history';

export const PERSON = {
  kind: 'person' as const,
  lastName: 'Загорулько',
  firstName: 'Евлампий',
  middleName: 'Феоктистович',
  snils: snilsFor(738291046),
  passport: { series: '4510', number: '739184' },
  postalAddress: 'г. Тверь, ул. Лермонтова, д. 91, кв. 47',
  phone: '+79031112233',
  email: 'evlampiy.z@mail.example.ru',
};
export const ORGANISATION = { kind: 'organization' as const, title: 'ООО «Васильковый луг»', ogrn: '1027700132195', inn: '7707083893' };

export const NEEDLES = [
  ...snilsForms(PERSON.snils),
  `${PERSON.passport.series} ${PERSON.passport.number}`,
  `${PERSON.passport.series}${PERSON.passport.number}`,
  PERSON.lastName,
  PERSON.firstName,
  PERSON.middleName,
  PERSON.postalAddress,
  'Лермонтова',
  PERSON.phone,
  PERSON.phone.slice(2),
  PERSON.email,
  'evlampiy',
];
// A bare 6-digit number may occur by chance inside a longer one (timestamps): match it standing alone.
const PASSPORT_NUMBER = new RegExp(`(?<!\\d)${PERSON.passport.number}(?!\\d)`);

/** Throws naming the first personal value found in `text`. */
export function expectNoPii(text: string, what: string, extra: string[] = []): void {
  for (const needle of [...NEEDLES, ...extra]) {
    if (text.includes(needle)) throw new Error(`${what} contains personal value «${needle}»`);
  }
  if (PASSPORT_NUMBER.test(text)) throw new Error(`${what} contains the passport number`);
}
