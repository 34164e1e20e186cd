// Swagger UI at /docs from swagger-ui-dist: a fixed list of its files, read once, so no request path ever
// reaches the file system (nothing to traverse). The page loads /openapi.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="ru">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Case lifecycle API — Swagger UI</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/init.js"></script></body></html>
`;
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });\n`;

export function registerSwaggerUi(app: FastifyInstance): void {
  const dir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  const files = new Map(Object.entries(ASSETS).map(([name, type]) => [name, { type, body: fs.readFileSync(path.join(dir, name)) }]));
  const cached = { 'cache-control': 'public, max-age=3600' };
  app.get('/docs', { config: { rateLimit: false } as never }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get('/docs/init.js', { config: { rateLimit: false } as never }, async (_req, reply) => reply.headers(cached).type('text/javascript; charset=utf-8').send(INIT));
  for (const [name, file] of files) {
    app.get(`/docs/${name}`, { config: { rateLimit: false } as never }, async (_req, reply) => reply.headers(cached).type(file.type).send(file.body));
  }
}
