// Serves the HTTP API beside the worker (worker/main.ts, and `npm start`'s demo): tokens from the validated
// configuration, the listening socket, and the one place where extra plugins (inbox, metrics) are added. It lives
// with the worker, not in http/, because it composes http/ with the rooms that plug into it (inbox/, metrics/).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import type { CaseClient } from '../client';
import type { CodecKeys } from '../codec';
import { createRatingRouter } from '../feedback';
import { type ApiToken, buildHttpApi, type HttpApiPlugin, TokenRegistry } from '../http';
import { inboxPluginFromConfig } from '../inbox';
import { metricsPluginFromEnv } from '../metrics';
import type { WorkerConfig } from './config';

/**
 * Plugins served with the API by `npm start` and worker/main.ts. Registration point for other parts:
 * add `{ plugin, options }` here (each plugin receives `options.api`: client, pool, auth, audit, task board, access).
 */
export const SERVED_PLUGINS: HttpApiPlugin[] = [];

export interface RunningHttpApi {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export async function serveHttpApi(opts: {
  config: WorkerConfig;
  tokens: ApiToken[];
  client: CaseClient;
  pool: Pool;
  codecKeys: CodecKeys;
  extraPlugins?: HttpApiPlugin[];
}): Promise<RunningHttpApi> {
  const app = await buildHttpApi({
    client: opts.client,
    pool: opts.pool,
    auth: new TokenRegistry(opts.tokens, opts.config.CASE_DEPARTMENT_ID),
    codecKeys: opts.codecKeys,
    department: opts.config.CASE_DEPARTMENT_ID,
    // Pushed ratings go to the feedback workflows on the worker's task queue, as the scheduled pull routes them.
    ratings: { routeRating: createRatingRouter(opts.client.client, opts.config.CASE_TASK_QUEUE) },
    limits: { ratePerMinute: opts.config.CASE_API_RATE_LIMIT, bodyBytes: opts.config.CASE_API_BODY_LIMIT },
    // The clerk inbox (/inbox) and /metrics are served with the API.
    extraPlugins: [...SERVED_PLUGINS, inboxPluginFromConfig(opts.config), metricsPluginFromEnv(process.env), ...(opts.extraPlugins ?? [])],
  });
  await app.listen({ port: opts.config.CASE_API_PORT, host: opts.config.CASE_API_HOST });
  const address = app.server.address() as { port: number };
  const host = opts.config.CASE_API_HOST.includes(':') ? `[${opts.config.CASE_API_HOST}]` : opts.config.CASE_API_HOST;
  return { app, url: `http://${host}:${address.port}`, close: () => app.close() };
}

/** Demo tokens, one per role and demo clerk, kept in a 0600 file so curl examples work across runs. */
export function demoTokens(dir: string): { tokens: ApiToken[]; file: string } {
  const file = path.join(dir, 'api-tokens.json');
  if (!fs.existsSync(file)) {
    const t = () => randomBytes(24).toString('base64url');
    const tokens: ApiToken[] = [
      { token: t(), role: 'caseSystem', subject: 'demo-vis' },
      { token: t(), role: 'clerk', subject: 'ivanova' },
      { token: t(), role: 'clerk', subject: 'petrov' },
      { token: t(), role: 'clerk', subject: 'sidorova' },
      { token: t(), role: 'head', subject: 'head' },
      { token: t(), role: 'management', subject: 'management' },
      { token: t(), role: 'operator', subject: 'operator' },
    ];
    fs.writeFileSync(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  }
  return { tokens: JSON.parse(fs.readFileSync(file, 'utf8')) as ApiToken[], file };
}
