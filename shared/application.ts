// The application (заявление) as the case system hands it over: the single schema checked by the client,
// by the workflow's entry and by every test. Error messages name the field and the rule, never the value.
import { z } from 'zod';
import { isoInstantSchema as isoInstant } from './instant';
import { isPlainText } from './plainText';
import { innProblem, isValidSnils } from './identifiers';

const personName = (what: string) =>
  z
    .string({ message: `${what}: обязательное текстовое поле (required text)` })
    .trim()
    .min(1, `${what} не может быть пустым (must not be empty)`)
    .max(100, `${what}: не более 100 символов (at most 100 characters)`)
    .regex(/^[\p{L}][\p{L}\p{M}' .-]*$/u, `${what}: допустимы только буквы, пробел, дефис и апостроф (letters, space, hyphen, apostrophe only)`);

export const ApplicationNumberSchema = z
  .string({ message: 'номер заявления обязателен (required)' })
  .min(1, 'номер заявления не может быть пустым (must not be empty)')
  .max(36, 'номер заявления: не более 36 символов, как требует ЕЛК (at most 36 characters)')
  .regex(/^[A-Za-z0-9А-Яа-яЁё][A-Za-z0-9А-Яа-яЁё._/-]*$/, 'номер заявления: буквы, цифры, точка, дефис, косая черта (letters, digits, . - /)');

export const SnilsSchema = z
  .string()
  .regex(/^\d{3}-?\d{3}-?\d{3}[ -]?\d{2}$/, 'СНИЛС: 11 цифр в формате XXX-XXX-XXX YY (11 digits)')
  .refine(isValidSnils, 'СНИЛС: неверная контрольная сумма (checksum mismatch)');

export const PassportSchema = z.object({
  series: z.string().regex(/^\d{4}$/, 'серия паспорта: 4 цифры (4 digits)'),
  number: z.string().regex(/^\d{6}$/, 'номер паспорта: 6 цифр (6 digits)'),
});

export const PersonApplicantSchema = z
  .object({
    kind: z.literal('person'),
    lastName: personName('фамилия'),
    firstName: personName('имя'),
    middleName: personName('отчество').optional(),
    snils: SnilsSchema.optional(),
    inn: z
      .string()
      .superRefine((v, ctx) => {
        const p = innProblem(v, 'person');
        if (p) ctx.addIssue({ code: 'custom', message: `${p} (person INN: 12 digits with check digits)` });
      })
      .optional(),
    passport: PassportSchema.optional(),
    birthDate: z.iso.date({ message: 'дата рождения: ГГГГ-ММ-ДД (YYYY-MM-DD)' }).optional(),
    // Printed on letters: bounded and plain text, so every accepted application can also be refused in writing.
    postalAddress: z
      .string()
      .trim()
      .min(1)
      .max(500, 'почтовый адрес: не более 500 символов (at most 500 characters)')
      .refine(isPlainText, 'почтовый адрес: только обычный текст (plain text, no control characters)')
      .optional(),
    phone: z.string().regex(/^\+?\d{10,15}$/, 'телефон: 10–15 цифр (10-15 digits)').optional(),
    email: z.email('адрес электронной почты некорректен (invalid e-mail)').optional(),
  })
  .refine((a) => a.snils || a.inn || a.passport, {
    message: 'нужен хотя бы один документ заявителя: СНИЛС, ИНН или паспорт (one of snils, inn, passport is required for ЕЛК)',
    path: ['snils'],
  });

export const OrganizationApplicantSchema = z.object({
  kind: z.literal('organization'),
  title: z.string().trim().min(1, 'наименование организации не может быть пустым (must not be empty)').max(1024),
  ogrn: z.string().regex(/^[125]\d{12}$|^3\d{14}$/, 'ОГРН: 13 цифр (ЮЛ) или 15 цифр, начиная с 3 (ИП) (13 or 15 digits)'),
  inn: z.string().superRefine((v, ctx) => {
    const p = innProblem(v, v.length === 12 ? 'person' : 'organization');
    if (p) ctx.addIssue({ code: 'custom', message: `${p} (organisation INN: 10 digits, sole trader: 12)` });
  }),
  kpp: z.string().regex(/^\d{9}$/, 'КПП: 9 цифр (9 digits)').optional(),
});

export const ApplicantSchema = z.discriminatedUnion('kind', [PersonApplicantSchema, OrganizationApplicantSchema], {
  message: 'applicant.kind: ожидается person или organization (expected person | organization)',
});

export const CHANNELS = ['epgu', 'mfc', 'inPerson', 'post'] as const;
export const ChannelSchema = z.enum(CHANNELS, { message: `канал подачи: один из ${CHANNELS.join(', ')} (one of)` });
export type Channel = z.infer<typeof ChannelSchema>;

export const ApplicationInputSchema = z.object({
  applicationNumber: ApplicationNumberSchema,
  serviceCode: z.string().min(1, 'код услуги обязателен (required)').max(64),
  channel: ChannelSchema,
  receivedAt: isoInstant,
  applicant: ApplicantSchema,
  assignedClerk: z.string().trim().min(1).max(100).optional(),
  officeName: z.string().trim().min(1).max(1024).optional(),
});
export type ApplicationInput = z.infer<typeof ApplicationInputSchema>;
export type Applicant = z.infer<typeof ApplicantSchema>;
