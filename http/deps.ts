// What the HTTP API hands to its routes and to every plugin (the inbox, metrics): its own file so that routes
// and plugins depend on these types, not on the app that registers them.
import type { FastifyPluginAsync } from 'fastify';
import type { Pool } from 'pg';
import type { CaseClient } from '../client';
import type { CodecKeys } from '../codec';
import type { TaskBoard } from '../escalation';
import type { RatingIntake, RoutedRating } from '../feedback';
import type { AuditLog } from './audit';
import type { TokenRegistry } from './auth';
import type { CaseAccess } from './caseAccess';

/** What the API and every extra plugin work with. */
export interface HttpApiDeps {
  client: CaseClient;
  pool: Pool;
  auth: TokenRegistry;
  audit: AuditLog;
  taskBoard: TaskBoard;
  access: CaseAccess;
  /** The deployment's department id (CASE_DEPARTMENT_ID): cases started without one belong to it. */
  department: string;
  /** Keys sealing stored documents (the worker's codec keys: it unseals them to deliver). */
  codecKeys: CodecKeys;
  /** The ratings intake and where accepted ratings go (the feedback workflows). */
  ratings: HttpApiRatings;
}

export type RatingRoute = (rating: RoutedRating & { applicationNumber: string; serviceCode: string }) => Promise<void>;

export interface HttpApiRatings {
  intake: RatingIntake;
  /** feedback/ratingRouter.ts; without it ratings are stored and routed by the scheduled routeRatings. */
  routeRating?: RatingRoute;
}

/** A Fastify plugin registered inside the API app (e.g. the inbox); it receives the API's dependencies. */
export interface HttpApiPlugin {
  plugin: FastifyPluginAsync<{ api: HttpApiDeps } & Record<string, unknown>>;
  options?: Record<string, unknown>;
  /** A cookie of this plugin that carries the caller's API token (the inbox's session): the rate limit keys on it. */
  sessionCookie?: string;
}
