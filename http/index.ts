// Public entry of http/: what other rooms use.
export { type HttpApiDeps, type HttpApiPlugin, buildHttpApi } from './app';
export { type ApiToken, ApiTokenListSchema, type Caller, TokenRegistry } from './auth';
export { ACTION_PATHS } from './routes/cases';
export { problemOf } from './errors';
export { IDEMPOTENCY_KEY_PATTERN } from './idempotency';
export { demoTokens, serveHttpApi } from './server';
