// Writes (or, with --check, compares) the committed OpenAPI document http/openapi.json:
//   node -r ts-node/register/transpile-only http/openapiFile.ts [--check]
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HttpApiDeps } from './deps';
import { buildOpenApiDocument } from './openApiDocument';
import { apiRoutes } from './routes';

export const OPENAPI_FILE = path.join(__dirname, 'openapi.json');

/** The document without a running server: route handlers are not called, so no dependencies are needed. */
export function generatedOpenApiText(): string {
  return `${JSON.stringify(buildOpenApiDocument(apiRoutes({} as HttpApiDeps)), null, 2)}\n`;
}

if (require.main === module) {
  const text = generatedOpenApiText();
  if (process.argv.includes('--check')) {
    const same = fs.existsSync(OPENAPI_FILE) && fs.readFileSync(OPENAPI_FILE, 'utf8') === text;
    process.stdout.write(same ? 'http/openapi.json is up to date\n' : 'http/openapi.json differs: run npm run openapi\n');
    process.exit(same ? 0 : 1);
  }
  fs.writeFileSync(OPENAPI_FILE, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), OPENAPI_FILE)}\n`);
}
