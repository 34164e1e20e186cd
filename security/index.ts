// Personal data protection: masked JSON logging, sealed columns, the codec server for Temporal UI/CLI.
export { createLogger, installMaskedRuntimeLogger, maskDeep, maskPersonalData, MASK, MAX_LOGGED_STRING, temporalLoggerFrom, type CreateLoggerOptions } from './logger';
export { openBytes, openText, sealBytes, sealText } from './sealedColumns';
export { DEFAULT_BODY_LIMIT, startCodecServer, type CodecServer, type CodecServerOptions } from './codecServer';
export { BodyTooLargeError, readBoundedText } from './boundedBody';
