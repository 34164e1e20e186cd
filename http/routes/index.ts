// Every route of the API, in the order the OpenAPI document lists them.
import type { HttpApiDeps } from '../deps';
import type { RouteSpec } from '../routeSpec';
import { caseRoutes } from './cases';
import { documentRoutes } from './documents';
import { ratingRoutes } from './ratings';
import { reportRoutes } from './reports';
import { taskRoutes } from './tasks';

export function apiRoutes(deps: HttpApiDeps): RouteSpec[] {
  return [...caseRoutes(deps), ...documentRoutes(deps), ...taskRoutes(deps), ...ratingRoutes(deps), ...reportRoutes(deps)];
}
