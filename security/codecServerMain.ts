// Codec server entry point: node -r ts-node/register/transpile-only security/codecServerMain.ts
// Environment: CASE_PAYLOAD_KEYS, CASE_PAYLOAD_KEY_ACTIVE (as for the worker), CASE_CODEC_SERVER_TOKEN
// (required, ≥ 16 characters), CASE_CODEC_SERVER_PORT (default 8888), CASE_CODEC_SERVER_HOST (default
// 127.0.0.1), CASE_CODEC_SERVER_ORIGINS (comma-separated Temporal UI origins for CORS).
import { AesGcmPayloadCodec, parseCodecKeys } from '../codec';
import { startCodecServer } from './codecServer';

export function codecServerConfigProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  if (!env.CASE_PAYLOAD_KEYS) problems.push('CASE_PAYLOAD_KEYS: обязательная переменная (required)');
  const token = env.CASE_CODEC_SERVER_TOKEN ?? '';
  if (token.length < 16) problems.push('CASE_CODEC_SERVER_TOKEN: обязателен, не короче 16 символов (required, at least 16 characters)');
  const port = env.CASE_CODEC_SERVER_PORT;
  if (port !== undefined && port !== '' && !(/^\d+$/.test(port) && Number(port) <= 65535)) {
    problems.push('CASE_CODEC_SERVER_PORT: ожидается число 0–65535 (0-65535)');
  }
  return problems;
}

async function main(): Promise<void> {
  const env = process.env;
  const problems = codecServerConfigProblems(env);
  if (problems.length > 0) throw new Error(`Ошибка конфигурации codec-сервера (codec server configuration): ${problems.join('; ')}`);
  const codec = new AesGcmPayloadCodec(parseCodecKeys(env.CASE_PAYLOAD_KEYS!, env.CASE_PAYLOAD_KEY_ACTIVE || undefined));
  const server = await startCodecServer({
    codec,
    port: env.CASE_CODEC_SERVER_PORT ? Number(env.CASE_CODEC_SERVER_PORT) : 8888,
    host: env.CASE_CODEC_SERVER_HOST || '127.0.0.1',
    token: env.CASE_CODEC_SERVER_TOKEN!,
    allowedOrigins: (env.CASE_CODEC_SERVER_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.stop());
  process.stdout.write(`codec server ready: ${server.url}\n`);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
