import type { RefusalLetterInput } from '../../refusal';

/** Construction permit refused on three grounds (the representative "heavy" letter). */
export const threeGroundsLetter: RefusalLetterInput = {
  serviceCode: 'construction-permit',
  applicationNumber: '2026-000123',
  applicant: {
    lastName: 'Петров',
    firstName: 'Иван',
    middleName: 'Сергеевич',
    postalAddress: '111111, г. Новоозёрск, ул. Лесная, д. 5, кв. 12',
  },
  decisionDate: '2026-03-05',
  clerk: { name: 'А. В. Смирнова', position: 'Начальник отдела архитектуры и градостроительства' },
  grounds: [
    {
      code: 'missing-documents',
      facts: {
        missingDocuments: [
          'положительное заключение экспертизы проектной документации',
          'результаты инженерных изысканий',
        ],
      },
    },
    {
      code: 'gpzu-expired',
      facts: { gpzuNumber: 'РФ-50-2-01-0-00-2022-0345', gpzuIssuedAt: '2022-11-14', submittedAt: '2026-02-18' },
    },
    {
      code: 'gpzu-noncompliance',
      facts: {
        parameter: 'максимальный процент застройки в границах земельного участка',
        designValue: '62 %',
        permittedValue: 'не более 50 %',
        designSection: 'Схема планировочной организации земельного участка',
      },
    },
  ],
};

/** Archive certificate refused on two grounds; female applicant, no postal address (ЕПГУ only). */
export const archiveLetter: RefusalLetterInput = {
  serviceCode: 'archive-certificate',
  applicationNumber: '0412/2026',
  applicant: { lastName: 'Кузнецова', firstName: 'Мария', middleName: 'Ивановна' },
  decisionDate: '2026-11-30',
  clerk: { name: 'О. П. Лебедева', position: 'Главный специалист архивного отдела' },
  grounds: [
    {
      code: 'restricted-access',
      facts: { requestedDocuments: 'личное дело Сидорова Петра Петровича', createdYear: 1985 },
    },
    {
      code: 'documents-not-held',
      facts: {
        requestedDocuments: 'приказы по личному составу ООО «Новоозёрский хлебозавод» за 2001–2005 годы',
        recommendedArchive: 'Государственный архив Новоозёрской области (111112, г. Новоозёрск, ул. Архивная, д. 3)',
      },
    },
  ],
};

/** Realistic facts for every shipped ground (each must render). */
export const realisticFacts: Record<string, Record<string, Record<string, unknown>>> = {
  'archive-certificate': {
    'missing-documents': { missingDocuments: ['доверенность, подтверждающая полномочия представителя'] },
    'insufficient-search-details': {
      missingDetails: ['полное наименование организации', 'период работы (хотя бы примерный)'],
      clarification: 'В архиве хранятся документы более чем 300 организаций города.',
    },
    'restricted-access': { requestedDocuments: 'личное дело Сидорова Петра Петровича', createdYear: 1985 },
    'documents-not-held': {
      requestedDocuments: 'документы ООО «Ромашка» за 1998 год',
      forwardedTo: 'Государственный архив Новоозёрской области',
    },
    'unreadable-request': { unreadableParts: 'фамилию лица, о котором запрашиваются сведения, и годы его работы' },
  },
  'construction-permit': {
    'missing-documents': { missingDocuments: ['правоустанавливающие документы на земельный участок'] },
    'gpzu-expired': { gpzuNumber: 'РФ-50-2-01-0-00-2021-0001', gpzuIssuedAt: '2021-06-01', submittedAt: '2026-01-20' },
    'gpzu-noncompliance': { parameter: 'предельная высота здания', designValue: '24 м', permittedValue: 'не более 15 м' },
    'land-use-mismatch': { plannedObject: 'склад строительных материалов', permittedUse: 'для индивидуального жилищного строительства' },
    'registry-data-mismatch': { field: 'кадастровый номер земельного участка', declaredValue: '50:21:0010203:45', registryValue: '50:21:0010203:54' },
  },
};

export function withGrounds(base: RefusalLetterInput, grounds: unknown): RefusalLetterInput {
  return { ...base, grounds } as RefusalLetterInput;
}
