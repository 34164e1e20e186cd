/**
 * JSON wire format of the ИС «Адаптер СМЭВ» REST interface (POST {base}/send | /find | /get),
 * mirroring the SOAP types of smev-service-adapter.xsd with camelCase names (as the public
 * adapter REST clients do). Shared by SmevAdapterClient and the emulator so both sides agree.
 *
 * Replies are parsed leniently about *extra* fields (real adapters add sender/recipient/
 * sendingDate etc.) and strictly about the fields we rely on.
 */
import { z } from 'zod';

export const CLIENT_ID_MAX = 50;
/** Adapter clientId: «уникальная произвольная последовательность цифр и/или латинских букв» (≤50); UUID dashes allowed. */
export const ClientIdSchema = z
  .string()
  .min(1)
  .max(CLIENT_ID_MAX)
  .regex(/^[0-9A-Za-z-]+$/, 'clientId must consist of latin letters, digits and dashes');

/** messagePrimaryContent: `{any: "<xml…>"}` (adapter REST convention) or the XML string itself. */
export const MessagePrimaryContentSchema = z.union([z.string(), z.object({ any: z.string() }).passthrough()]);
export type MessagePrimaryContent = z.infer<typeof MessagePrimaryContentSchema>;

export function primaryContentXml(c: MessagePrimaryContent): string {
  return typeof c === 'string' ? c : c.any;
}

/** SMEV file storage keeps at most this many characters of a file name (epgu-elk.md §3.4, «SMEV restriction»). */
export const ATTACHMENT_FILE_NAME_MAX = 108;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * AttachmentHeader of smev-service-adapter.xsd: filePath (relative to the adapter's exchange folder) and an
 * optional detached PKCS#7 signature (base64). The adapter uploads the file to SMEV file storage as
 * RefAttachmentHeader{uuid, Hash, MimeType}; this plugin states those three itself, so the id that goes into
 * the ЕЛК message (FSuuid) is the one the file is stored under, and a file changed in the folder between our
 * write and the adapter's pickup is refused instead of delivered. Hash: SHA-256, hex (the real storage keeps a
 * ГОСТ Р 34.11-2012 digest that the adapter computes itself).
 */
export const AttachmentHeaderSchema = z
  .object({
    filePath: z.string().min(1).max(1024),
    signaturePKCS7: z
      .string()
      .max(1_000_000, 'signaturePKCS7: at most 1,000,000 base64 characters')
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'signaturePKCS7: base64 expected')
      .optional(),
    uuid: z.string({ message: 'uuid: required' }).regex(UUID_RE, 'uuid: lower-case UUID expected'),
    hash: z.string({ message: 'hash: required (SHA-256 of the file, hex)' }).regex(/^[0-9a-f]{64}$/, 'hash: SHA-256, 64 lower-case hex digits'),
    mimeType: z.enum(['application/pdf', 'application/xml', 'application/pkcs7-signature'], { message: 'mimeType: application/pdf | application/xml | application/pkcs7-signature' }),
  })
  .passthrough();
export type AttachmentHeader = z.infer<typeof AttachmentHeaderSchema>;
/** What a client sends: the schema's fields without extensions. */
export interface OutgoingAttachmentHeader {
  filePath: string;
  uuid: string;
  hash: string;
  mimeType: 'application/pdf' | 'application/xml' | 'application/pkcs7-signature';
  signaturePKCS7?: string;
}
export const AttachmentHeaderListSchema = z.object({ attachmentHeader: z.array(AttachmentHeaderSchema).min(1).max(20) }).passthrough();
export type AttachmentHeaderList = z.infer<typeof AttachmentHeaderListSchema>;

export const ContentSchema = z
  .object({
    messagePrimaryContent: MessagePrimaryContentSchema,
    attachmentHeaderList: z.unknown().optional(),
    personalSignature: z.unknown().optional(),
  })
  .passthrough();

export const CreateGroupIdentitySchema = z
  .object({
    frguServiceCode: z.string().min(1).max(20),
    frguServiceDescription: z.string().max(1000).optional(),
    frguServiceRecipientDescription: z.string().max(1000).optional(),
  })
  .passthrough();

export const RequestMetadataSchema = z
  .object({
    clientId: ClientIdSchema,
    createGroupIdentity: CreateGroupIdentitySchema.optional(),
    linkedGroupIdentity: z.object({ refClientId: z.string().optional(), refGroupId: z.string().optional() }).passthrough().optional(),
    nodeId: z.string().max(50).optional(),
    eol: z.string().optional(),
    testMessage: z.boolean().optional(),
  })
  .passthrough();

export const RequestMessageSchema = z
  .object({
    messageType: z.literal('RequestMessageType').optional(),
    requestMetadata: RequestMetadataSchema,
    requestContent: z.object({ content: ContentSchema }).passthrough(),
  })
  .passthrough();

/** Body of POST /send. */
export const SendRequestBodySchema = z
  .object({
    itSystem: z.string().min(1).max(50),
    requestMessage: RequestMessageSchema,
  })
  .passthrough();
export type SendRequestBody = z.infer<typeof SendRequestBodySchema>;

/**
 * ResponseMessage of a ClientMessage: our answer to a request another system sent us — here the status of an
 * application filed on ЕПГУ goes back as a response to ЕПГУ's original request (replyToClientId).
 */
export const OutgoingResponseMessageSchema = z
  .object({
    messageType: z.literal('ResponseMessageType').optional(),
    responseMetadata: z.object({ clientId: ClientIdSchema, replyToClientId: ClientIdSchema }).passthrough(),
    responseContent: z.object({ content: ContentSchema }).passthrough(),
  })
  .passthrough();

/** Body of POST /send carrying a response. */
export const SendResponseBodySchema = z
  .object({
    itSystem: z.string().min(1).max(50),
    responseMessage: OutgoingResponseMessageSchema,
  })
  .passthrough();
export type SendResponseBody = z.infer<typeof SendResponseBodySchema>;

/** 2xx reply of POST /send (SOAP MessageResult). */
export const SendReplySchema = z.object({ itSystem: z.string().optional(), messageId: z.string().min(1) }).passthrough();

/** Body of POST /find. */
export const ClientIdCriteriaSchema = z.enum([
  'GET_REQUEST_BY_REQUEST_CLIENTID',
  'GET_RESPONSE_BY_REQUEST_CLIENTID',
  'GET_RESPONSE_BY_RESPONSE_CLIENTID',
]);
export const MessageClientIdCriteriaSchema = z
  .object({ clientId: ClientIdSchema, clientIdCriteria: ClientIdCriteriaSchema })
  .passthrough();
export const MessageIntervalCriteriaSchema = z.object({ from: z.string(), to: z.string().optional() }).passthrough();
/** FindTypeCriteria is a choice: exactly one of the two criteria. */
export const FindRequestBodySchema = z
  .object({
    itSystem: z.string().min(1).max(50),
    specificQuery: z
      .object({
        messageClientIdCriteria: MessageClientIdCriteriaSchema.optional(),
        messageIntervalCriteria: MessageIntervalCriteriaSchema.optional(),
      })
      .passthrough()
      .refine((q) => !!q.messageClientIdCriteria !== !!q.messageIntervalCriteria, 'exactly one criteria is required'),
  })
  .passthrough();
export type FindRequestBody = z.infer<typeof FindRequestBodySchema>;

/** Body of POST /get. */
export const GetRequestBodySchema = z
  .object({
    itSystem: z.string().min(1).max(50),
    nodeId: z.string().optional(),
    specificQuery: z.object({ messageTypeCriteria: z.enum(['RESPONSE', 'REQUEST']) }).passthrough().optional(),
  })
  .passthrough();

export const FaultSchema = z.object({ code: z.string().optional(), description: z.string().optional() }).passthrough();

export const SmevMetadataSchema = z
  .object({
    messageId: z.string().optional(),
    referenceMessageId: z.string().optional(),
    transactionCode: z.string().optional(),
    originalMessageId: z.string().optional(),
  })
  .passthrough();

const StatusMetadataSchema = z.object({ clientId: z.string().optional(), originalClientId: z.string().optional() }).passthrough();

/** ResponseContent is a choice: business content, provider rejects, or a business status. */
export const ResponseContentSchema = z
  .object({
    content: ContentSchema.optional(),
    rejects: z.array(z.object({ code: z.string(), description: z.string().optional() }).passthrough()).min(1).optional(),
    status: z
      .object({
        code: z.string(),
        description: z.string().optional(),
        parameter: z.array(z.object({ key: z.string(), value: z.string() }).passthrough()).optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough()
  .refine((c) => [c.content, c.rejects, c.status].filter((x) => x !== undefined).length === 1, 'exactly one of content, rejects, status');

export const ResponseMessageSchema = z
  .object({
    messageType: z.literal('ResponseMessageType'),
    responseMetadata: z.object({ clientId: z.string().optional(), replyToClientId: z.string().optional() }).passthrough(),
    responseContent: ResponseContentSchema,
  })
  .passthrough();

export const ErrorMessageSchema = z
  .object({
    messageType: z.literal('ErrorMessageType'),
    statusMetadata: StatusMetadataSchema.optional(),
    status: z.string().optional(),
    details: z.string().optional(),
    timestamp: z.string().optional(),
    type: z.enum(['SERVER', 'CLIENT']),
    fault: FaultSchema,
  })
  .passthrough();

export const StatusMessageSchema = z
  .object({
    messageType: z.literal('StatusMessageType'),
    statusMetadata: StatusMetadataSchema.optional(),
    status: z.string(),
    details: z.string().optional(),
    timestamp: z.string().optional(),
  })
  .passthrough();

export const QueryResultSchema = z
  .object({
    smevMetadata: SmevMetadataSchema,
    message: z.discriminatedUnion('messageType', [
      ResponseMessageSchema,
      ErrorMessageSchema,
      StatusMessageSchema,
      RequestMessageSchema.extend({ messageType: z.literal('RequestMessageType') }),
    ]),
  })
  .passthrough();
export type QueryResult = z.infer<typeof QueryResultSchema>;

/** 2xx reply of POST /find (SOAP QueryResultList). An empty list means "nothing yet". */
export const FindReplySchema = z.object({ queryResult: z.array(QueryResultSchema) }).passthrough();
export type FindReply = z.infer<typeof FindReplySchema>;

/** 2xx reply of POST /get: the next message of the IS queue, or null. */
export const GetReplySchema = z.object({ queryResult: QueryResultSchema.nullable() }).passthrough();

/** Non-2xx reply of any adapter endpoint (SOAP faults of smev-service-adapter-faults.xsd). */
export const FaultTypeSchema = z.enum(['SystemFault', 'ValidationFault', 'SyncFault']);
export type FaultType = z.infer<typeof FaultTypeSchema>;
export const FaultReplySchema = z
  .object({
    fault: FaultSchema.extend({ type: FaultTypeSchema.optional() }),
    /** Present on "already sent": the messageId assigned at the first, successful send. */
    messageId: z.string().optional(),
  })
  .passthrough();
export type FaultReply = z.infer<typeof FaultReplySchema>;

/** Fault code for a repeated send of an already accepted clientId (SMEV's MessageIsAlreadySent). */
export const ALREADY_SENT_FAULT_CODE = 'MessageIsAlreadySent';
export const ALREADY_SENT_HTTP_STATUS = 409;

export function isAlreadySentCode(code: string | undefined): boolean {
  return !!code && code.replace(/[^A-Za-z]/g, '').toLowerCase() === 'messageisalreadysent';
}
