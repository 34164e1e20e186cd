// The application (заявление) as the case system hands it over: the single schema checked by the client,
// by the workflow's entry and by every test. Error messages name the field and the rule, never the value.
import { z } from 'zod';
import { isoInstantSchema } from './instant';
import { boundedString, plainString } from './plainText';
import { innProblem, isValidSnils } from './identifiers';
import { BIRTH_DATE_MAX_AGE_YEARS, RECEIVED_AT_EARLIEST } from './lawfulDates';
// Zod-free, so the workflow and the admission activity use it too.
export { receivedAtProblem } from './lawfulDates';

// Every string is bounded before its format check runs (see plainText.ts); the rule itself is shared/instant's.
const isoInstant = (field: string) => boundedString(field, 40).pipe(isoInstantSchema);
const personName = (what: string) =>
  plainString(what, 100).regex(
    /^[\p{L}][\p{L}\p{M}' .-]*$/u,
    `${what}: допустимы только буквы, пробел, дефис и апостроф (letters, space, hyphen, apostrophe only)`,
  );

export const ApplicationNumberSchema = z
  .string({ message: 'номер заявления обязателен (required)' })
  .max(36, { abort: true, message: 'номер заявления: не более 36 символов, как требует ЕЛК (at most 36 characters)' })
  .min(1, 'номер заявления не может быть пустым (must not be empty)')
  .max(36, 'номер заявления: не более 36 символов, как требует ЕЛК (at most 36 characters)')
  .regex(/^[A-Za-z0-9А-Яа-яЁё][A-Za-z0-9А-Яа-яЁё._/-]*$/, 'номер заявления: буквы, цифры, точка, дефис, косая черта (letters, digits, . - /)');

export const SnilsSchema = boundedString('СНИЛС', 14)
  .regex(/^\d{3}-?\d{3}-?\d{3}[ -]?\d{2}$/, 'СНИЛС: 11 цифр в формате XXX-XXX-XXX YY (11 digits)')
  .refine(isValidSnils, 'СНИЛС: неверная контрольная сумма (checksum mismatch)');

export const PassportSchema = z.object({
  series: boundedString('серия паспорта', 4).regex(/^\d{4}$/, 'серия паспорта: 4 цифры (4 digits)'),
  number: boundedString('номер паспорта', 6).regex(/^\d{6}$/, 'номер паспорта: 6 цифр (6 digits)'),
});

export const PersonApplicantSchema = z
  .object({
    kind: z.literal('person'),
    lastName: personName('фамилия'),
    firstName: personName('имя'),
    middleName: personName('отчество').optional(),
    snils: SnilsSchema.optional(),
    inn: boundedString('ИНН', 12)
      .superRefine((v, ctx) => {
        const p = innProblem(v, 'person');
        if (p) ctx.addIssue({ code: 'custom', message: `${p} (person INN: 12 digits with check digits)` });
      })
      .optional(),
    passport: PassportSchema.optional(),
    // Range checked against receivedAt below (a person is born before applying, and within a human lifetime).
    birthDate: boundedString('дата рождения', 10).pipe(z.iso.date({ message: 'дата рождения: ГГГГ-ММ-ДД (YYYY-MM-DD)' })).optional(),
    /** When known (ЕСИА, the form): declension of the name in letters follows it instead of guessing. */
    gender: z.enum(['male', 'female'], { message: 'пол: male или female (male | female)' }).optional(),
    // Printed on letters: bounded and plain text, so every accepted application can also be refused in writing.
    postalAddress: plainString('почтовый адрес', 500, { multiline: true }).optional(),
    phone: boundedString('телефон', 16).regex(/^\+?\d{10,15}$/, 'телефон: 10–15 цифр (10-15 digits)').optional(),
    // RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets, so an address ≤ 254.
    email: boundedString('адрес электронной почты', 254).regex(z.regexes.email, 'адрес электронной почты некорректен (invalid e-mail)').optional(),
  })
  .refine((a) => a.snils || a.inn || a.passport, {
    message: 'нужен хотя бы один документ заявителя: СНИЛС, ИНН или паспорт (one of snils, inn, passport is required for ЕЛК)',
    path: ['snils'],
  });

export const OrganizationApplicantSchema = z.object({
  kind: z.literal('organization'),
  // ЕЛК UlTitle: at most 1024 characters.
  title: plainString('наименование организации', 1024),
  ogrn: boundedString('ОГРН', 15).regex(/^[125]\d{12}$|^3\d{14}$/, 'ОГРН: 13 цифр (ЮЛ) или 15 цифр, начиная с 3 (ИП) (13 or 15 digits)'),
  inn: boundedString('ИНН', 12).superRefine((v, ctx) => {
    const p = innProblem(v, v.length === 12 ? 'person' : 'organization');
    if (p) ctx.addIssue({ code: 'custom', message: `${p} (organisation INN: 10 digits, sole trader: 12)` });
  }),
  kpp: boundedString('КПП', 9).regex(/^\d{9}$/, 'КПП: 9 цифр (9 digits)').optional(),
});

export const ApplicantSchema = z.discriminatedUnion('kind', [PersonApplicantSchema, OrganizationApplicantSchema], {
  message: 'applicant.kind: ожидается person или organization (expected person | organization)',
});

export const CHANNELS = ['epgu', 'mfc', 'inPerson', 'post', 'departmentSite'] as const;
export const ChannelSchema = z.enum(CHANNELS, { message: `канал подачи: один из ${CHANNELS.join(', ')} (one of)` });
export type Channel = z.infer<typeof ChannelSchema>;

/**
 * An application filed on ЕПГУ already has its order in the cabinet: its statuses go back as responses to ЕПГУ's
 * original SMEV request, so both identifiers are required for channel epgu (and only for it).
 */
export const EpguOriginSchema = z.object({
  orderId: boundedString('epgu.orderId', 19).regex(/^\d{1,19}$/, 'epgu.orderId: номер заявления на ЕПГУ, до 19 цифр (ЕПГУ order number, up to 19 digits)'),
  requestClientId: boundedString('epgu.requestClientId', 50)
    .min(1, 'epgu.requestClientId: не может быть пустым (must not be empty)')
    .regex(/^[0-9A-Za-z-]+$/, 'epgu.requestClientId: латинские буквы, цифры и дефис (latin letters, digits, dash)'),
});
export type EpguOrigin = z.infer<typeof EpguOriginSchema>;

export const ApplicationInputSchema = z
  .object({
    applicationNumber: ApplicationNumberSchema,
    serviceCode: plainString('код услуги', 64),
    channel: ChannelSchema,
    // The upper bound (not in the future) needs a clock: receivedAtProblem, checked by the client and the workflow.
    receivedAt: isoInstant('receivedAt').refine(
      (v) => Date.parse(v) >= Date.parse(RECEIVED_AT_EARLIEST),
      `дата поступления: не ранее ${RECEIVED_AT_EARLIEST.slice(0, 10)} (not before ${RECEIVED_AT_EARLIEST.slice(0, 10)})`,
    ),
    applicant: ApplicantSchema,
    assignedClerk: plainString('исполнитель', 100).optional(),
    // Reaches the applicant's cabinet (ЕЛК OfficeName, at most 1024 characters).
    officeName: plainString('наименование подразделения', 1024).optional(),
    /** For channel epgu: the ЕПГУ order and the SMEV request it arrived in. */
    epgu: EpguOriginSchema.optional(),
  })
  .superRefine((a, ctx) => {
    if (a.channel === 'epgu' && !a.epgu) {
      ctx.addIssue({ code: 'custom', path: ['epgu'], message: 'для канала epgu нужны epgu.orderId и epgu.requestClientId (required for channel epgu)' });
    }
    if (a.channel !== 'epgu' && a.epgu) {
      ctx.addIssue({ code: 'custom', path: ['epgu'], message: 'epgu указывается только для канала epgu (only for channel epgu)' });
    }
    if (a.applicant.kind !== 'person' || !a.applicant.birthDate) return;
    const born = a.applicant.birthDate;
    const received = a.receivedAt.slice(0, 10);
    const earliest = `${String(Number(received.slice(0, 4)) - BIRTH_DATE_MAX_AGE_YEARS).padStart(4, '0')}${received.slice(4)}`;
    if (born > received || born < earliest) {
      ctx.addIssue({
        code: 'custom',
        path: ['applicant', 'birthDate'],
        message: `дата рождения: не позже даты поступления и не ранее чем за ${BIRTH_DATE_MAX_AGE_YEARS} лет до неё (not after receipt, at most ${BIRTH_DATE_MAX_AGE_YEARS} years before it)`,
      });
    }
  });
export type ApplicationInput = z.infer<typeof ApplicationInputSchema>;

export type Applicant = z.infer<typeof ApplicantSchema>;
