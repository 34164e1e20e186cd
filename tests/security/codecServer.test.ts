// The remote codec server: decodes real encrypted payloads for an authorised caller only, bounds the body,
// answers CORS preflights for the configured UI origin, and keeps working across key rotation.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, KEY_ID_METADATA, parseCodecKeys } from '../../codec/payloadCodec';
import { CodecServer, startCodecServer } from '../../security/codecServer';

const KEY_A = `old-2025:${Buffer.alloc(32, 11).toString('base64')}`;
const KEY_B = `new-2026:${Buffer.alloc(32, 22).toString('base64')}`;
const TOKEN = 'codec-test-token-0123456789';
const UI = 'http://localhost:8233';
const PERSON = { lastName: 'Загорулько', firstName: 'Евлампий', snils: '112-233-445 95' };

const toJson = (p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

async function encrypted(spec: string, active: string, value: unknown) {
  const codec = new AesGcmPayloadCodec(parseCodecKeys(spec, active));
  const [p] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
  return toJson(p);
}

function post(server: CodecServer, op: string, body: unknown, headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }) {
  return fetch(`${server.url}/${op}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function decodedValue(json: { payloads: { metadata: Record<string, string>; data: string }[] }, i = 0): unknown {
  const p = json.payloads[i];
  return defaultPayloadConverter.fromPayload({
    metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data, 'base64'),
  });
}

describe('with keys B (active) and A (rotated out, still loaded)', () => {
  let server: CodecServer;
  beforeAll(async () => {
    server = await startCodecServer({
      codec: new AesGcmPayloadCodec(parseCodecKeys(`${KEY_B},${KEY_A}`, 'new-2026')),
      port: 0,
      token: TOKEN,
      allowedOrigins: [UI],
      bodyLimitBytes: 4 * 1024 * 1024,
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('listens on loopback and decodes payloads encrypted with the active and with the old key', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await post(server, 'decode', { payloads: [await encrypted(KEY_B, 'new-2026', PERSON), await encrypted(KEY_A, 'old-2025', { n: 1 })] });
    expect(res.status).toBe(200);
    const json = (await res.json()) as any;
    expect(decodedValue(json, 0)).toEqual(PERSON);
    expect(decodedValue(json, 1)).toEqual({ n: 1 });
    // A payload that is not encrypted passes through untouched.
    const plain = toJson(defaultPayloadConverter.toPayload('просто текст'));
    const passthrough = (await (await post(server, "decode", { payloads: [plain] })).json()) as any;
    expect(passthrough.payloads[0]).toEqual(plain);
  });

  it('encodes with the active key, and what it encodes decodes back', async () => {
    const plain = toJson(defaultPayloadConverter.toPayload(PERSON));
    const enc = (await (await post(server, "encode", { payloads: [plain] })).json()) as any;
    expect(Buffer.from(enc.payloads[0].metadata[KEY_ID_METADATA], 'base64').toString()).toBe('new-2026');
    expect(Buffer.from(enc.payloads[0].data, 'base64').toString('utf8')).not.toContain('Загорулько');
    const dec = (await (await post(server, "decode", enc)).json()) as any;
    expect(decodedValue(dec)).toEqual(PERSON);
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { Authorization: 'Bearer codec-test-token-0123456780' }],
    ['a token prefix', { Authorization: `Bearer ${TOKEN.slice(0, 16)}` }],
    ['the token without the Bearer scheme', { Authorization: TOKEN }],
  ])('answers 401 to %s and decodes nothing', async (_label, headers) => {
    const res = await post(server, 'decode', { payloads: [await encrypted(KEY_B, 'new-2026', PERSON)] }, headers as Record<string, string>);
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('Загорулько');
  });

  it('answers 413 to a body over the limit', async () => {
    const big = JSON.stringify({ payloads: [{ metadata: {}, data: 'A'.repeat(4 * 1024 * 1024 + 16) }] });
    const res = await post(server, 'decode', big);
    expect(res.status).toBe(413);
  });

  it('answers 400 to malformed input and 404/405 to other paths and methods', async () => {
    expect((await post(server, 'decode', 'not json')).status).toBe(400);
    expect((await post(server, 'decode', { payloads: 'x' })).status).toBe(400);
    expect((await post(server, 'other', { payloads: [] })).status).toBe(404);
    expect((await fetch(`${server.url}/decode`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(405);
  });

  it('answers the CORS preflight for the UI origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-namespace' },
      });
    const ok = await preflight(UI);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const evil = await preflight('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const real = await post(server, 'decode', { payloads: [] }, { Authorization: `Bearer ${TOKEN}`, Origin: UI });
    expect(real.headers.get('access-control-allow-origin')).toBe(UI);
  });
});

it('fails with a clear error naming the key when the old key is no longer loaded', async () => {
  const server = await startCodecServer({ codec: new AesGcmPayloadCodec(parseCodecKeys(KEY_B)), port: 0, token: TOKEN });
  try {
    const res = await post(server, 'decode', { payloads: [await encrypted(KEY_A, 'old-2025', PERSON)] });
    expect(res.status).toBe(422);
    const body = (await res.json()) as any;
    expect(body.message).toContain('"old-2025"');
    expect(body.message).toContain('CASE_PAYLOAD_KEYS');
    expect(JSON.stringify(body)).not.toContain('Загорулько');
  } finally {
    await server.stop();
  }
});

it('refuses to start without a token of at least 16 characters', async () => {
  await expect(async () => startCodecServer({ codec: new AesGcmPayloadCodec(parseCodecKeys(KEY_B)), port: 0, token: 'short' })).rejects.toThrow(/16/);
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'security/codecServerMain.ts'], {
    cwd: path.resolve(__dirname, '../..'),
    env: { ...process.env, CASE_PAYLOAD_KEYS: KEY_B, CASE_CODEC_SERVER_TOKEN: 'short', CASE_CODEC_SERVER_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((r) => child.once('exit', r));
  expect(code).toBe(1);
  expect(err).toContain('CASE_CODEC_SERVER_TOKEN');
});
