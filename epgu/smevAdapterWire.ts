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
