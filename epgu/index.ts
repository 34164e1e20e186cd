/** Public API of the ЕПГУ/ЕЛК integration: XML builders/parsers, XSD validation, SMEV adapter client, emulator. */
export {
  ELK_STATUS_NS,
  MAX_ELK_XML_BYTES,
  ElkInputError,
  ElkXmlError,
  ElkResultCode,
  IsoInstantSchema,
  SnilsSchema,
  ElkApplicantSchema,
  ElkPersonApplicantSchema,
  ElkLegalEntityApplicantSchema,
  ElkEntrepreneurApplicantSchema,
  ElkAttachmentSchema,
  ElkStatusEntrySchema,
  ElkCreateOrderInputSchema,
  ElkUpdateOrderInputSchema,
  ElkRequestContextSchema,
  ElkEnvSchema,
  ElkOrderResponseSchema,
  buildElkCreateOrdersRequest,
  buildElkUpdateOrdersRequest,
  buildElkOrderResponse,
  parseElkOrderResponse,
  parseElkOrderRequest,
  selectElkUserIdentity,
} from './elkStatusXml';
export type {
  ElkApplicant,
  ElkStatusEntry,
  ElkCreateOrderInput,
  ElkUpdateOrderInput,
  ElkRequestContext,
  ElkEnv,
  ElkOrderResponse,
  ElkUserIdentity,
  ElkOrderRequestView,
  ElkCreateOrderView,
  ElkUpdateOrderView,
  ElkStatusEntryView,
} from './elkStatusXml';
export { formatXsdDateTime, parseXsdDateTimeNs, isIsoInstant, isValidTimeZone } from './dateTime';
export { validateAgainstElkXsd, elkXsdPath, ELK_XSD_FILE_NAME, xmllintHostPid } from './xsdValidator';
export type { XsdValidationResult } from './xsdValidator';
export { SmevAdapterClient, SmevTransportError, SmevRejectedError } from './smevAdapterClient';
export type { AdapterReply, SmevAdapterClientOptions, SmevErrorDetails } from './smevAdapterClient';
export { ALREADY_SENT_FAULT_CODE, ALREADY_SENT_HTTP_STATUS, ATTACHMENT_FILE_NAME_MAX } from './smevAdapterWire';
export type { OutgoingAttachmentHeader } from './smevAdapterWire';
export { placeInExchangeFolder, removeFromExchangeFolder } from './exchangeFolder';
export { defaultEpguStatusReply, parseDefaultEpguStatusReply, EPGU_STATUS_REPLY_NS } from './epguStatusReply';
export type { EpguStatusReplyBuilder, EpguStatusReplyInput } from './epguStatusReply';
export { startElkEmulator, DEFAULT_ELK_STATUS_CODES, DEFAULT_MAX_ATTACHMENT_BYTES, FaultStateSchema, FaultPatchSchema } from './emulator/elkEmulator';
export type {
  ElkEmulator,
  ElkEmulatorOptions,
  FaultController,
  FaultState,
  FaultPatch,
  OrderView,
  HistoryEntryView,
  ReceivedMessage,
  MessageOutcome,
  CabinetView,
  CabinetStatusView,
  EpguRequestView,
} from './emulator/elkEmulator';
export { type XmlElement, XmlParseError, escapeXmlAttr, escapeXmlText, getAttribute, parseXml } from './xmlReader';
