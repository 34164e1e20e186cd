// Every route of the API, in the order the OpenAPI document lists them.
import type { HttpApiDeps } from '../app';
import type { RouteSpec } from '../routeSpec';
import { caseRoutes } from './cases';
import { reportRoutes } from './reports';
import { taskRoutes } from './tasks';

export function apiRoutes(deps: HttpApiDeps): RouteSpec[] {
  return [...caseRoutes(deps), ...taskRoutes(deps), ...reportRoutes(deps)];
}
