// Public entry of http/: what other rooms use.
export { buildHttpApi } from './app';
export type { HttpApiDeps, HttpApiPlugin, HttpApiRatings, RatingRoute } from './deps';
export { type ApiToken, ApiTokenListSchema, type Caller, TokenRegistry } from './auth';
export { ACTION_PATHS } from './routes/cases';
export { problemOf, RequestValidationError } from './errors';
export { IDEMPOTENCY_KEY_PATTERN } from './idempotency';
