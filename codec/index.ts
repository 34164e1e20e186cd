// AES-256-GCM payload codec: every Temporal payload of this plugin is encrypted with it.
export { AesGcmPayloadCodec, ENCODING, KEY_ID_METADATA, generateKeySpec, parseCodecKeys, type CodecKeys } from './payloadCodec';
