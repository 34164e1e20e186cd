/**
 * ЕЛК status service (вид сведений «Передача статусов и результатов предоставления
 * государственных и муниципальных услуг», XSD 1.0.2): request builders, response parser,
 * and the response builder / request reader used by the emulator.
 */
import { z } from 'zod';
import { isValidSnils } from '../shared';
import { formatXsdDateTime, isIsoInstant, isValidTimeZone, parseXsdDateTimeNs } from './dateTime';
import {
  DEFAULT_MAX_XML_BYTES,
  elementToPlain,
  escapeXmlAttr,
  escapeXmlText,
  getAttribute,
  isValidXmlText,
  parseXml,
  PlainXml,
  XmlParseError,
} from './xmlReader';

export const ELK_STATUS_NS = 'http://epgu.gosuslugi.ru/elk/status/1.0.2';
/** Upper bound for any ЕЛК document we parse (checked before parsing). */
export const MAX_ELK_XML_BYTES = DEFAULT_MAX_XML_BYTES;

// ---------------------------------------------------------------------------------------------
// Errors

/** Builder input failed validation; the message names every offending field path. */
export class ElkInputError extends Error {
  constructor(
    readonly schemaName: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(`Invalid ${schemaName}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'ElkInputError';
  }
}

/** An ЕЛК XML document could not be read (malformed, oversized, wrong namespace, unexpected shape). */
export class ElkXmlError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ElkXmlError';
  }
}

function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, schemaName: string): z.output<S> {
  const res = schema.safeParse(value);
  if (!res.success) {
    throw new ElkInputError(
      schemaName,
      res.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  }
  return res.data;
}

// ---------------------------------------------------------------------------------------------
// Field schemas (mirror the XSD facets so invalid data fails here, not asynchronously in SMEV)

const codePointLength = (s: string): number => [...s].length;

/** Any XML-safe string with an optional max length in characters (XSD counts code points). */
const xmlString = (max?: number, min = 0) =>
  z
    .string()
    .refine(isValidXmlText, 'contains characters not allowed in XML')
    .refine((s) => codePointLength(s) >= min, min === 1 ? 'must not be empty' : `must be at least ${min} characters`)
    .refine((s) => max === undefined || codePointLength(s) <= max, `must be at most ${max} characters`);

/**
 * xsd:normalizedString values: tabs/newlines would be rewritten by the receiver, so a key we
 * store would no longer match the one ЕЛК stores. Reject them instead.
 */
const normalizedString = (max: number) =>
  xmlString(max, 1).refine((s) => !/[\t\n\r]/.test(s), 'must not contain tabs or line breaks');

const digits = (n: number, label: string) => z.string().regex(new RegExp(`^\\d{${n}}$`), `must be ${label} (${n} digits)`);

const XSD_SHORT_MIN = -32768;
const XSD_SHORT_MAX = 32767;
/** xsd:short classifier code; accepts a number or a digit string (ЕСНСИ codes are often strings). */
const shortCode = z
  .union([z.number().int(), z.string().regex(/^-?\d{1,5}$/, 'must be an integer code')])
  .transform((v) => (typeof v === 'number' ? v : Number(v)))
  .refine((v) => v >= XSD_SHORT_MIN && v <= XSD_SHORT_MAX, 'must fit xsd:short (-32768..32767)');

/** ISO instant with time and offset; a bare date is rejected (SMEV rejects it too, see epgu-elk.md §3.3). */
export const IsoInstantSchema = z
  .string()
  .refine(isIsoInstant, 'must be an ISO-8601 instant with time and offset, e.g. 2026-03-05T11:00:00.123Z')
  .refine((s) => {
    const y = Number(s.slice(0, 4));
    return y >= 1970 && y <= 9998;
  }, 'year must be between 1970 and 9998');

/** СНИЛС as 11 digits or 'XXX-XXX-XXX YY'; normalised to 'XXX-XXX-XXX YY' (the form ЕЛК expects). */
export const SnilsSchema = z
  .string()
  .transform((s) => s.replace(/[\s-]/g, ''))
  .refine((d) => /^\d{11}$/.test(d), 'must be 11 digits (XXX-XXX-XXX YY)')
  .refine(isValidSnils, 'checksum does not match')
  .transform((d) => `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6, 9)} ${d.slice(9)}`);

const personNameFields = {
  lastName: xmlString(256, 1).optional(),
  firstName: xmlString(256, 1).optional(),
  middleName: xmlString(256, 1).optional(),
};

export const ElkPersonApplicantSchema = z
  .object({
    kind: z.literal('person'),
    ...personNameFields,
    /** ЕСНСИ «ЕЛК.Гражданство»; 643 = Россия. */
    citizenship: shortCode.default(643),
    snils: SnilsSchema.optional(),
    inn: digits(12, 'a personal INN').optional(),
    personalDoc: z
      .object({
        /** ЕСНСИ «ЕЛК.Тип документа удостоверяющего личность»; 1 = паспорт РФ. */
        docType: shortCode,
        series: xmlString(16, 1).optional(),
        number: xmlString(16, 1),
      })
      .optional(),
    esiaId: xmlString(50, 1).optional(),
  })
  .superRefine((p, ctx) => {
    const named = !!p.lastName && !!p.firstName;
    const usable = (named && (!!p.snils || !!p.inn || !!p.personalDoc)) || !!p.esiaId;
    if (!usable) {
      ctx.addIssue({
        code: 'custom',
        path: ['snils'],
        message: 'person needs snils, inn or personalDoc together with lastName and firstName, or an esiaId',
      });
    }
  });

export const ElkLegalEntityApplicantSchema = z
  .object({
    kind: z.literal('legalEntity'),
    ogrn: z.string().regex(/^[125]\d{12}$/, 'must be a legal entity OGRN (13 digits, starts with 1, 2 or 5)').optional(),
    inn: digits(10, 'a legal entity INN').optional(),
    kpp: digits(9, 'a KPP').optional(),
    title: xmlString(1024, 1).optional(),
  })
  .superRefine((o, ctx) => {
    if (!o.ogrn && !o.inn) ctx.addIssue({ code: 'custom', path: ['ogrn'], message: 'legal entity needs ogrn or inn' });
  });

export const ElkEntrepreneurApplicantSchema = z.object({
  kind: z.literal('entrepreneur'),
  ogrn: z.string().regex(/^3\d{14}$/, 'must be an entrepreneur OGRNIP (15 digits, starts with 3)'),
  inn: digits(12, 'a personal INN'),
  ...personNameFields,
});

export const ElkApplicantSchema = z.discriminatedUnion('kind', [
  ElkPersonApplicantSchema,
  ElkLegalEntityApplicantSchema,
  ElkEntrepreneurApplicantSchema,
]);

export const ElkAttachmentSchema = z
  .object({
    /** Attachment uploaded through the SMEV file storage. */
    fsUuid: xmlString(256, 1).optional(),
    /** Document passed through a data mart (витрина). */
    datamartUuid: xmlString(256, 1).optional(),
    /** ЕСНСИ «ЕЛК.Типы документов (вложений)», e.g. ELK_RESULT. */
    docTypeId: xmlString(50, 1),
  })
  .superRefine((a, ctx) => {
    if (!!a.fsUuid === !!a.datamartUuid) {
      ctx.addIssue({ code: 'custom', path: ['fsUuid'], message: 'exactly one of fsUuid or datamartUuid is required' });
    }
  });

export const ElkStatusEntrySchema = z.object({
  /** ЕСНСИ «ЕЛК.Статусы заявлений» code. */
  status: z.number().int().min(XSD_SHORT_MIN).max(XSD_SHORT_MAX),
  /** ISO instant; formatted in the request's time zone. Keep it unique and increasing per order. */
  statusDate: IsoInstantSchema,
  isInformed: z.boolean().optional(),
  /** Template mnemonic from ЕСНСИ «ЕЛК.Шаблоны уведомлений» (1.0.2 has no free-text comment). */
  messageType: xmlString(undefined, 1).optional(),
  params: z.array(z.object({ name: xmlString(undefined, 1), value: xmlString() })).optional(),
  attachments: z.array(ElkAttachmentSchema).min(1).optional(),
});

const senderFields = {
  /** ИНН of the department providing the service (10 digits). */
  senderInn: digits(10, 'a legal entity INN'),
  senderKpp: digits(9, 'a KPP').optional(),
};

export const ElkCreateOrderInputSchema = z.object({
  /** Application number in our system (≤36 chars); ЕЛК's key together with senderInn. */
  orderNumber: normalizedString(36),
  ...senderFields,
  /** Идентификатор цели обращения (подуслуги) in ФРГУ/КЦР. */
  serviceTargetCode: normalizedString(20),
  /** OKTMO of the applicant; '00000000' for an application filed electronically. */
  userSelectedRegion: z.string().regex(/^\d{1,8}$/, 'must be an OKTMO code (1..8 digits)').default('00000000'),
  /** When the application was filed (ISO instant). */
  requestDate: IsoInstantSchema,
  office: z.object({
    name: xmlString(1024).optional(),
    address: xmlString(4000).optional(),
    frguCode: xmlString(1024).optional(),
    /** ЕСНСИ «ЕЛК.Канал приема заявления»; 4 = «Подразделение ведомства». */
    applicationAcceptance: shortCode,
  }),
  applicant: ElkApplicantSchema,
  statusHistory: z.array(ElkStatusEntrySchema).min(1),
});

export const ElkUpdateOrderInputSchema = z
  .object({
    orderNumber: normalizedString(36).optional(),
    /** ЕЛК's own number from the Create reply (xsd:long, kept as a string). */
    elkOrderNumber: z.string().regex(/^\d{1,18}$/, 'must be a positive integer (xsd:long)').optional(),
    ...senderFields,
    status: ElkStatusEntrySchema,
  })
  .superRefine((u, ctx) => {
    if (!!u.orderNumber === !!u.elkOrderNumber) {
      ctx.addIssue({ code: 'custom', path: ['orderNumber'], message: 'exactly one of orderNumber or elkOrderNumber is required' });
    }
  });

export const ElkEnvSchema = z.enum(['EPGU', 'SVCDEV']);

export const ElkRequestContextSchema = z.object({
  /** EPGU in production, SVCDEV in the ЕПГУ test environment. */
  env: ElkEnvSchema,
  /** IANA zone whose offset is written into every dateTime (usually the department's zone). */
  timeZone: z.string().refine(isValidTimeZone, 'must be a known IANA time zone'),
});

export type ElkApplicant = z.input<typeof ElkApplicantSchema>;
export type ElkStatusEntry = z.input<typeof ElkStatusEntrySchema>;
export type ElkCreateOrderInput = z.input<typeof ElkCreateOrderInputSchema>;
export type ElkUpdateOrderInput = z.input<typeof ElkUpdateOrderInputSchema>;
export type ElkRequestContext = z.input<typeof ElkRequestContextSchema>;
export type ElkEnv = z.infer<typeof ElkEnvSchema>;

// ---------------------------------------------------------------------------------------------
// Request builders

type Node = string | Node[];

function el(name: string, content: string | Node[] | undefined): Node {
  if (content === undefined) return '';
  if (typeof content === 'string') return `<${name}>${escapeXmlText(content)}</${name}>`;
  return [`<${name}>`, content, `</${name}>`];
}

function flatten(n: Node): string {
  return typeof n === 'string' ? n : n.map(flatten).join('');
}

type PersonApplicant = z.output<typeof ElkPersonApplicantSchema>;

/** Which `user` variant will be sent for a person, in order of preference. */
export type ElkUserIdentity =
  | { element: 'userDocSnils'; snils: string }
  | { element: 'userDocInn'; inn: string }
  | { element: 'userPersonalDoc'; docType: number; series?: string; number: string }
  | { element: 'EsiaId'; esiaId: string };

/**
 * Picks the `user` variant from the data we have: СНИЛС first (every confirmed ЕПГУ account
 * has one), then ИНН, then the identity document, then the ЕСИА id. The document-based
 * variants require last and first name.
 */
export function selectElkUserIdentity(p: PersonApplicant): ElkUserIdentity {
  const named = !!p.lastName && !!p.firstName;
  if (named && p.snils) return { element: 'userDocSnils', snils: p.snils };
  if (named && p.inn) return { element: 'userDocInn', inn: p.inn };
  if (named && p.personalDoc) {
    return { element: 'userPersonalDoc', docType: p.personalDoc.docType, series: p.personalDoc.series, number: p.personalDoc.number };
  }
  if (p.esiaId) return { element: 'EsiaId', esiaId: p.esiaId };
  throw new ElkInputError('ElkCreateOrderInput', [{ path: 'applicant', message: 'no usable identity' }]);
}

function applicantXml(a: z.output<typeof ElkApplicantSchema>): Node {
  switch (a.kind) {
    case 'person': {
      const id = selectElkUserIdentity(a);
      const names = [el('lastName', a.lastName), el('firstName', a.firstName), el('middleName', a.middleName)];
      const citizenship = el('citizenship', String(a.citizenship));
      switch (id.element) {
        case 'userDocSnils':
          return el('user', [el('userDocSnils', [el('snils', id.snils), names, citizenship])]);
        case 'userDocInn':
          return el('user', [el('userDocInn', [el('INN', id.inn), names, citizenship])]);
        case 'userPersonalDoc':
          return el('user', [
            el('userPersonalDoc', [
              el('PersonalDocType', String(id.docType)),
              el('series', id.series),
              el('number', id.number),
              names,
              citizenship,
            ]),
          ]);
        case 'EsiaId':
          return el('user', [el('EsiaId', id.esiaId)]);
      }
      break;
    }
    case 'legalEntity': {
      const idPart = a.ogrn ? el('ogrn', a.ogrn) : el('inn_kpp', [el('inn', a.inn), el('kpp', a.kpp)]);
      return el('organization', [el('ogrn_inn_UL', [idPart, el('UlTitle', a.title)])]);
    }
    case 'entrepreneur':
      return el('organization', [
        el('ogrn_inn_IP', [
          el('ogrn', a.ogrn),
          el('inn', a.inn),
          el('lastName', a.lastName),
          el('firstName', a.firstName),
          el('middleName', a.middleName),
        ]),
      ]);
  }
  throw new Error('unreachable');
}

function statusXml(s: z.output<typeof ElkStatusEntrySchema>, timeZone: string): Node {
  return el('statusHistory', [
    el('status', String(s.status)),
    el('IsInformed', s.isInformed === undefined ? undefined : String(s.isInformed)),
    el('statusDate', formatXsdDateTime(s.statusDate, timeZone)),
    el('MessageType', s.messageType),
    (s.params ?? []).map((p) => el('Param', [el('Name', p.name), el('Value', p.value)])),
    s.attachments
      ? el(
          'attachments',
          s.attachments.map((a) =>
            el('attachment', [a.fsUuid ? el('FSuuid', a.fsUuid) : el('datamartUuid', a.datamartUuid), el('docTypeId', a.docTypeId)]),
          ),
        )
      : '',
  ]);
}

function envelope(env: ElkEnv, body: Node): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<ElkOrderRequest xmlns="${ELK_STATUS_NS}" env="${escapeXmlAttr(env)}">` +
    flatten(body) +
    '</ElkOrderRequest>'
  );
}

/** Builds an ElkOrderRequest/CreateOrdersRequest with one order (the first status of an application). */
export function buildElkCreateOrdersRequest(input: ElkCreateOrderInput, context: ElkRequestContext): string {
  const o = parseOrThrow(ElkCreateOrderInputSchema, input, 'ElkCreateOrderInput');
  const ctx = parseOrThrow(ElkRequestContextSchema, context, 'ElkRequestContext');
  const order = el('order', [
    applicantXml(o.applicant),
    el('senderKpp', o.senderKpp),
    el('senderInn', o.senderInn),
    el('serviceTargetCode', o.serviceTargetCode),
    el('userSelectedRegion', o.userSelectedRegion),
    el('orderNumber', o.orderNumber),
    el('requestDate', formatXsdDateTime(o.requestDate, ctx.timeZone)),
    el('OfficeInfo', [
      el('OfficeName', o.office.name),
      el('OfficeAdress', o.office.address),
      el('OfficeFrguCode', o.office.frguCode),
      el('ApplicationAcceptance', String(o.office.applicationAcceptance)),
    ]),
    el(
      'statusHistoryList',
      o.statusHistory.map((s) => statusXml(s, ctx.timeZone)),
    ),
  ]);
  return envelope(ctx.env, el('CreateOrdersRequest', [el('orders', [order])]));
}

/** Builds an ElkOrderRequest/UpdateOrdersRequest carrying exactly one new status. */
export function buildElkUpdateOrdersRequest(input: ElkUpdateOrderInput, context: ElkRequestContext): string {
  const u = parseOrThrow(ElkUpdateOrderInputSchema, input, 'ElkUpdateOrderInput');
  const ctx = parseOrThrow(ElkRequestContextSchema, context, 'ElkRequestContext');
  const order = el('order', [
    u.orderNumber !== undefined ? el('orderNumber', u.orderNumber) : el('elkOrderNumber', u.elkOrderNumber),
    el('senderKpp', u.senderKpp),
    el('senderInn', u.senderInn),
    el('statusHistoryList', [statusXml(u.status, ctx.timeZone)]),
  ]);
  return envelope(ctx.env, el('UpdateOrdersRequest', [el('orders', [order])]));
}

// ---------------------------------------------------------------------------------------------
// Response

const shortText = z
  .string()
  .transform((s) => s.trim())
  .refine((s) => /^-?\d{1,5}$/.test(s) && Number(s) >= XSD_SHORT_MIN && Number(s) <= XSD_SHORT_MAX, 'must be an xsd:short')
  .transform(Number);
const longText = z
  .string()
  .transform((s) => s.trim())
  .refine((s) => /^-?\d{1,19}$/.test(s), 'must be an xsd:long');

const ResponseOrderPlain = z
  .object({
    elkOrderNumber: longText.optional(),
    orderNumber: z.string().max(36).optional(),
    status: shortText,
    message: z.string(),
  })
  .strict();
const ResponseBodyPlain = z
  .object({
    code: shortText,
    message: z.string(),
    orders: z.object({ order: z.array(ResponseOrderPlain).min(1) }).strict(),
  })
  .strict();
export const ElkOrderResponseSchema = z.object({
  kind: z.enum(['create', 'update']),
  code: z.number().int(),
  message: z.string(),
  orders: z
    .array(
      z.object({
        orderNumber: z.string().optional(),
        /** ЕЛК order number; a string because xsd:long exceeds Number.MAX_SAFE_INTEGER. */
        elkOrderNumber: z.string().optional(),
        status: z.number().int(),
        message: z.string(),
      }),
    )
    .min(1),
});
export type ElkOrderResponse = z.infer<typeof ElkOrderResponseSchema>;

/** Result codes observed from the real ЕЛК (epgu-elk.md §1.4). */
export const ElkResultCode = {
  OK: 0,
  COMPLETED_WITH_ERRORS: 11,
  STATUS_NOT_FOUND: 4,
  INCORRECT_PARAMETERS: 5,
  INCORRECT_SERVICE_TARGET: 13,
  ORDER_NOT_FOUND: 28,
  INCORRECT_ORDER_STATUS: 31,
  ORDER_ALREADY_EXISTS: 34,
  REQUEST_DATE_TOO_OLD: 38,
} as const;

const RESPONSE_REPEATED = new Set(['order']);

function readRoot(xml: string, expectedLocal: string): ReturnType<typeof parseXml> {
  if (typeof xml !== 'string') throw new ElkXmlError('ЕЛК XML must be a string');
  let root;
  try {
    root = parseXml(xml, { maxBytes: MAX_ELK_XML_BYTES });
  } catch (e) {
    throw new ElkXmlError(`malformed ${expectedLocal} XML: ${(e as Error).message}`, { cause: e });
  }
  if (root.ns !== ELK_STATUS_NS || root.local !== expectedLocal) {
    throw new ElkXmlError(
      `expected root element {${ELK_STATUS_NS}}${expectedLocal}, got {${root.ns}}${root.local}`,
    );
  }
  return root;
}

function toPlain(root: ReturnType<typeof parseXml>, repeated: ReadonlySet<string>, what: string): PlainXml {
  try {
    return elementToPlain(root, ELK_STATUS_NS, repeated);
  } catch (e) {
    if (e instanceof XmlParseError) throw new ElkXmlError(`unexpected ${what} shape: ${e.message}`, { cause: e });
    throw e;
  }
}

function formatZodIssues(err: z.ZodError, prefix: string): string {
  return err.issues.map((i) => `${[prefix, ...i.path.map(String)].join('/')}: ${i.message}`).join('; ');
}

/** The XSD's xs:choice under the root: exactly one of the allowed children. */
function singleChoice<K extends string>(plain: PlainXml, allowed: readonly K[], rootName: string): [K, PlainXml] {
  const keys = typeof plain === 'string' ? [] : Object.keys(plain);
  if (keys.length !== 1 || !(allowed as readonly string[]).includes(keys[0]!)) {
    throw new ElkXmlError(
      `unexpected ${rootName} shape: expected exactly one of ${allowed.join(' | ')}, got ${keys.length ? keys.join(', ') : 'no child elements'}`,
    );
  }
  const key = keys[0] as K;
  return [key, (plain as Record<string, PlainXml>)[key]!];
}

/** Parses and validates an ElkOrderResponse document (≤ 1 MiB). Throws ElkXmlError. */
export function parseElkOrderResponse(xml: string): ElkOrderResponse {
  const root = readRoot(xml, 'ElkOrderResponse');
  const plain = toPlain(root, RESPONSE_REPEATED, 'ElkOrderResponse');
  const [wrapper, inner] = singleChoice(plain, ['CreateOrdersResponse', 'UpdateOrdersResponse'], 'ElkOrderResponse');
  const res = ResponseBodyPlain.safeParse(inner);
  if (!res.success) throw new ElkXmlError(`unexpected ElkOrderResponse shape: ${formatZodIssues(res.error, wrapper)}`);
  const kind = wrapper === 'CreateOrdersResponse' ? 'create' : 'update';
  const body = res.data;
  return ElkOrderResponseSchema.parse({
    kind,
    code: body.code,
    message: body.message,
    orders: body.orders.order.map((o) => ({
      ...(o.orderNumber !== undefined ? { orderNumber: o.orderNumber } : {}),
      ...(o.elkOrderNumber !== undefined ? { elkOrderNumber: o.elkOrderNumber } : {}),
      status: o.status,
      message: o.message,
    })),
  });
}

/** Builds an ElkOrderResponse document (used by the emulator and tests). */
export function buildElkOrderResponse(response: ElkOrderResponse): string {
  const r = ElkOrderResponseSchema.parse(response);
  const wrapper = r.kind === 'create' ? 'CreateOrdersResponse' : 'UpdateOrdersResponse';
  const orders = r.orders.map((o) =>
    // Create: elkOrderNumber optional, orderNumber required; Update: elkOrderNumber required.
    el('order', [
      el('elkOrderNumber', r.kind === 'update' ? (o.elkOrderNumber ?? '0') : o.elkOrderNumber),
      el('orderNumber', r.kind === 'create' ? (o.orderNumber ?? '') : o.orderNumber),
      el('status', String(o.status)),
      el('message', o.message),
    ]),
  );
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<ElkOrderResponse xmlns="${ELK_STATUS_NS}">` +
    flatten(el(wrapper, [el('code', String(r.code)), el('message', r.message), el('orders', orders)])) +
    '</ElkOrderResponse>'
  );
}

// ---------------------------------------------------------------------------------------------
// Request reader (the emulator's side; also handy for logging and tests)

const REQUEST_REPEATED = new Set(['order', 'statusHistory', 'Param', 'attachment']);
const anyPlain: z.ZodType<PlainXml> = z.lazy(() => z.union([z.string(), z.record(z.string(), z.union([anyPlain, z.array(anyPlain)]))]));

const StatusHistoryPlain = z
  .object({
    status: shortText,
    IsInformed: z.string().optional(),
    statusDate: z.string().refine((s) => parseXsdDateTimeNs(s) !== undefined, 'must be an xsd:dateTime'),
    MessageType: z.string().optional(),
    Param: z.array(z.object({ Name: z.string(), Value: z.string() }).strict()).optional(),
    attachments: z
      .object({
        attachment: z.array(
          z.object({ FSuuid: z.string().optional(), datamartUuid: z.string().optional(), docTypeId: z.string() }).strict(),
        ),
      })
      .strict()
      .optional(),
  })
  .strict();
const StatusListPlain = z.object({ statusHistory: z.array(StatusHistoryPlain).min(1) }).strict();

const CreateOrderPlain = z
  .object({
    user: z.record(z.string(), anyPlain).optional(),
    orgId: z.string().optional(),
    organization: z.record(z.string(), anyPlain).optional(),
    senderKpp: z.string().optional(),
    senderInn: z.string(),
    serviceTargetCode: z.string(),
    userSelectedRegion: z.string(),
    orderNumber: z.string(),
    requestDate: z.string().refine((s) => parseXsdDateTimeNs(s) !== undefined, 'must be an xsd:dateTime'),
    OfficeInfo: z.record(z.string(), z.string()),
    statusHistoryList: StatusListPlain,
  })
  .strict();
const UpdateOrderPlain = z
  .object({
    orderNumber: z.string().optional(),
    elkOrderNumber: longText.optional(),
    senderKpp: z.string().optional(),
    senderInn: z.string(),
    statusHistoryList: StatusListPlain.optional(),
  })
  .strict();
const RequestBodyPlain = {
  CreateOrdersRequest: z.object({ orders: z.object({ order: z.array(CreateOrderPlain).min(1) }).strict() }).strict(),
  UpdateOrdersRequest: z.object({ orders: z.object({ order: z.array(UpdateOrderPlain).min(1) }).strict() }).strict(),
};

export interface ElkStatusEntryView {
  status: number;
  /** As sent (xsd:dateTime lexical form). */
  statusDate: string;
  isInformed?: boolean;
  messageType?: string;
  params: { name: string; value: string }[];
  attachments: { fsUuid?: string; datamartUuid?: string; docTypeId: string }[];
}

export interface ElkCreateOrderView {
  /** Applicant subtree as plain data: {user: {...}} | {organization: {...}} | {orgId}. */
  applicant: Record<string, PlainXml>;
  senderInn: string;
  senderKpp?: string;
  serviceTargetCode: string;
  userSelectedRegion: string;
  orderNumber: string;
  requestDate: string;
  officeInfo: Record<string, string>;
  statusHistory: ElkStatusEntryView[];
}

export interface ElkUpdateOrderView {
  orderNumber?: string;
  elkOrderNumber?: string;
  senderInn: string;
  senderKpp?: string;
  statusHistory?: ElkStatusEntryView[];
}

export type ElkOrderRequestView =
  | { kind: 'create'; env: string; orders: ElkCreateOrderView[] }
  | { kind: 'update'; env: string; orders: ElkUpdateOrderView[] };

function statusView(s: z.output<typeof StatusHistoryPlain>): ElkStatusEntryView {
  const informed = s.IsInformed?.trim();
  return {
    status: s.status,
    statusDate: s.statusDate.trim(),
    ...(informed !== undefined ? { isInformed: informed === 'true' || informed === '1' } : {}),
    ...(s.MessageType !== undefined ? { messageType: s.MessageType } : {}),
    params: (s.Param ?? []).map((p) => ({ name: p.Name, value: p.Value })),
    attachments: (s.attachments?.attachment ?? []).map((a) => ({
      ...(a.FSuuid !== undefined ? { fsUuid: a.FSuuid } : {}),
      ...(a.datamartUuid !== undefined ? { datamartUuid: a.datamartUuid } : {}),
      docTypeId: a.docTypeId,
    })),
  };
}

function applicantView(o: z.output<typeof CreateOrderPlain>): Record<string, PlainXml> {
  if (o.user) return { user: o.user };
  if (o.organization) return { organization: o.organization };
  return { orgId: o.orgId ?? '' };
}

/**
 * Reads an ElkOrderRequest into a plain view. It checks names, namespace and cardinality but
 * not element order or facets; validate against the XSD for that.
 */
export function parseElkOrderRequest(xml: string): ElkOrderRequestView {
  const root = readRoot(xml, 'ElkOrderRequest');
  const env = getAttribute(root, 'env');
  if (env === undefined) throw new ElkXmlError('ElkOrderRequest has no env attribute');
  const plain = toPlain(root, REQUEST_REPEATED, 'ElkOrderRequest');
  const [wrapper, inner] = singleChoice(plain, ['CreateOrdersRequest', 'UpdateOrdersRequest'], 'ElkOrderRequest');
  const fail = (err: z.ZodError): never => {
    throw new ElkXmlError(`unexpected ElkOrderRequest shape: ${formatZodIssues(err, wrapper)}`);
  };
  if (wrapper === 'CreateOrdersRequest') {
    const res = RequestBodyPlain.CreateOrdersRequest.safeParse(inner);
    if (!res.success) return fail(res.error);
    return {
      kind: 'create',
      env,
      orders: res.data.orders.order.map((o) => ({
        applicant: applicantView(o),
        senderInn: o.senderInn.trim(),
        ...(o.senderKpp !== undefined ? { senderKpp: o.senderKpp.trim() } : {}),
        serviceTargetCode: o.serviceTargetCode.trim(),
        userSelectedRegion: o.userSelectedRegion.trim(),
        orderNumber: o.orderNumber.trim(),
        requestDate: o.requestDate.trim(),
        officeInfo: o.OfficeInfo,
        statusHistory: o.statusHistoryList.statusHistory.map(statusView),
      })),
    };
  }
  const res = RequestBodyPlain.UpdateOrdersRequest.safeParse(inner);
  if (!res.success) return fail(res.error);
  return {
    kind: 'update',
    env,
    orders: res.data.orders.order.map((o) => ({
      ...(o.orderNumber !== undefined ? { orderNumber: o.orderNumber.trim() } : {}),
      ...(o.elkOrderNumber !== undefined ? { elkOrderNumber: o.elkOrderNumber } : {}),
      senderInn: o.senderInn.trim(),
      ...(o.senderKpp !== undefined ? { senderKpp: o.senderKpp.trim() } : {}),
      ...(o.statusHistoryList ? { statusHistory: o.statusHistoryList.statusHistory.map(statusView) } : {}),
    })),
  };
}
