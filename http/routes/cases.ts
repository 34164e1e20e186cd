// Routes about cases: the case list, start an application, every clerk action (one route each, its own body
// schema), the applicant's callbacks relayed by the case system, and the state/history/deadline/refusal-draft queries.
import { z } from 'zod';
import { caseListRequestOf, CaseListQuerySchema, listCases, type CaseListQuery } from '../../cases';
import { ApplicantCancelledSchema, ApplicantRespondedSchema, ApplicationInputSchema, CLERK_ACTION_TITLES_RU, ClerkActionName, ClerkActionSchemas, InputValidationError } from '../../shared';
import type { HttpApiDeps } from '../deps';
import type { ApiRole, Caller } from '../auth';
import { RequestValidationError } from '../errors';
import { HttpProblem } from '../problem';
import type { RouteSpec } from '../routeSpec';
import { AcceptedSchema, ApplicationNumberParams, CaseEventSchema, CaseListSchema, CaseSnapshotSchema, DeadlineSchema, RefusalDraftSchema, StartResultSchema } from '../schemas';

const READERS: readonly ApiRole[] = ['caseSystem', 'clerk', 'head', 'management', 'operator'];
const ACTORS: readonly ApiRole[] = ['caseSystem', 'clerk', 'head'];

/** Route segment of each action (kebab-case, stable for clients). */
export const ACTION_PATHS: Record<ClerkActionName, string> = {
  register: 'register',
  startReview: 'start-review',
  requestInteragency: 'request-interagency',
  recordInteragencyAnswer: 'record-interagency-answer',
  requestFromApplicant: 'request-from-applicant',
  draftDecision: 'draft-decision',
  amendRefusal: 'amend-refusal',
  extendDeadline: 'extend-deadline',
  approve: 'approve',
  refuse: 'refuse',
  issueResult: 'issue-result',
  reassign: 'reassign',
  resolveDeliveryProblem: 'resolve-delivery-problem',
};

const target = (p: Record<string, string>) => p.applicationNumber;
const snapshotJson = (s: unknown) => CaseSnapshotSchema.parse(JSON.parse(JSON.stringify(s)));

/** A clerk or head acts in their own name: the `clerk` field must be theirs. */
function checkActorField(caller: Caller, clerk: string): void {
  if ((caller.role === 'clerk' || caller.role === 'head') && clerk.trim() !== caller.subject) {
    throw new HttpProblem(403, 'forbidden', 'Действие от чужого имени (acting in another name)', 'поле clerk должно совпадать с вашим идентификатором (clerk must be your own id)', [
      { field: 'clerk', rule: 'ваш идентификатор из токена (your id from the token)' },
    ]);
  }
}

export function caseRoutes(deps: HttpApiDeps): RouteSpec[] {
  const { client, access } = deps;
  const routes: RouteSpec[] = [
    {
      method: 'POST',
      path: '/applications',
      operationId: 'startApplication',
      summary: 'Принять заявление и начать его жизненный цикл (start an application)',
      description: 'The application number is the case id: starting it again joins the running case (started: false).',
      tag: 'cases',
      roles: ['caseSystem'],
      write: true,
      body: ApplicationInputSchema,
      target: () => 'applications',
      responses: {
        201: { description: 'Заявление принято (started)', schema: StartResultSchema },
        200: { description: 'Номер уже занят этим же заявлением (already started: the existing case)', schema: StartResultSchema },
      },
      async handler({ caller, body, requestId }) {
        const outcome = await client.startApplicationWithOutcome(body, { requestId: requestId! });
        if (outcome.result.started) await access.recordStart(outcome.result.applicationNumber, caller.department, `${caller.role}:${caller.subject}`);
        return { status: outcome.result.started ? 201 : 200, body: outcome.result, headers: { location: `/cases/${encodeURIComponent(outcome.result.applicationNumber)}` } };
      },
    },
    {
      method: 'GET',
      path: '/cases',
      operationId: 'listCases',
      summary: 'Список заявлений (case list)',
      description:
        'Read from the applications projection in PostgreSQL (Temporal visibility no longer carries the stage of new cases). ' +
        'Filters combine with AND; stage takes one stage or several (comma-separated or repeated). open: true (default), false ' +
        '(completed) or any; with a final stage named (refused, resultIssued, cancelled) the default is any. Keyset pages: pass nextCursor as cursor with the same filters. ' +
        'A clerk lists their own cases; other roles their department’s.',
      tag: 'cases',
      roles: READERS,
      write: false,
      query: CaseListQuerySchema,
      responses: { 200: { description: 'Страница списка (one page of the list)', schema: CaseListSchema } },
      async handler({ caller, query }) {
        const { filter, page } = caseListRequestOf(query as CaseListQuery);
        const scope = access.caseListScope(caller, filter);
        try {
          return { status: 200, body: await listCases(deps.pool, filter, page, scope) };
        } catch (err) {
          // A cursor made for other filters is a query-string problem like any other.
          if (err instanceof InputValidationError) throw new RequestValidationError('querystring', err.problems);
          throw err;
        }
      },
    },
  ];

  for (const action of Object.keys(ClerkActionSchemas) as ClerkActionName[]) {
    routes.push({
      method: 'POST',
      path: `/cases/{applicationNumber}/actions/${ACTION_PATHS[action]}`,
      operationId: action,
      summary: `${CLERK_ACTION_TITLES_RU[action]} (${action})`,
      tag: 'clerk actions',
      roles: action === 'resolveDeliveryProblem' ? [...ACTORS, 'operator'] : ACTORS,
      write: true,
      params: ApplicationNumberParams,
      body: ClerkActionSchemas[action],
      target,
      responses: {
        200: { description: 'Действие выполнено; состояние заявления после него (the case after the action)', schema: CaseSnapshotSchema },
        404: { description: 'Нет такого заявления (no such case)' },
        409: { description: 'Действие недопустимо на этой стадии (illegal in the current stage)' },
      },
      async handler({ caller, params, body, requestId }) {
        checkActorField(caller, (body as { clerk: string }).clerk);
        await access.authorize(caller, params.applicationNumber);
        const outcome = await client.actWithOutcome(params.applicationNumber, action, body as never, { requestId: requestId! });
        return { status: 200, body: snapshotJson(outcome.result) };
      },
    });
  }

  const signal = (kind: 'applicantResponded' | 'applicantCancelled', path: string, summary: string, body: z.ZodType): RouteSpec => ({
    method: 'POST',
    path: `/cases/{applicationNumber}/${path}`,
    operationId: kind,
    summary,
    tag: 'applicant callbacks',
    roles: ['caseSystem'],
    write: true,
    params: ApplicationNumberParams,
    body,
    target,
    responses: { 202: { description: 'Передано заявлению (delivered to the case)', schema: AcceptedSchema }, 404: { description: 'Нет такого заявления (no such case)' } },
    async handler({ caller, params, body: b }) {
      await access.authorize(caller, params.applicationNumber);
      if (kind === 'applicantResponded') await client.applicantResponded(params.applicationNumber, b as never);
      else await client.applicantCancelled(params.applicationNumber, b as never);
      return { status: 202, body: { accepted: true } };
    },
  });
  routes.push(
    signal('applicantResponded', 'applicant-responded', 'Заявитель ответил на запрос (applicant responded)', ApplicantRespondedSchema),
    signal('applicantCancelled', 'applicant-cancelled', 'Заявитель отозвал заявление (applicant withdrew)', ApplicantCancelledSchema),
  );

  const read = (operationId: string, path: string, summary: string, schema: z.ZodType, run: (n: string, snapshot: z.infer<typeof CaseSnapshotSchema>) => Promise<unknown>): RouteSpec => ({
    method: 'GET',
    path: `/cases/{applicationNumber}${path}`,
    operationId,
    summary,
    tag: 'cases',
    roles: READERS,
    write: false,
    params: ApplicationNumberParams,
    target,
    responses: { 200: { description: summary, schema }, 404: { description: 'Нет такого заявления (no such case)' } },
    async handler({ caller, params }) {
      await access.authorize(caller, params.applicationNumber);
      const snapshot = snapshotJson(await client.state(params.applicationNumber));
      return { status: 200, body: await run(params.applicationNumber, snapshot) };
    },
  });
  routes.push(
    read('caseState', '', 'Состояние заявления (case state)', CaseSnapshotSchema, async (_n, s) => s),
    read('caseHistory', '/history', 'История заявления (case history)', z.array(CaseEventSchema), async (n) => z.array(CaseEventSchema).parse(JSON.parse(JSON.stringify(await client.history(n))))),
    read('caseDeadline', '/deadline', 'Регламентный срок (regulatory deadline)', DeadlineSchema, async (n, s) => ({ applicationNumber: n, deadline: await client.deadline(n), overdue: s.overdue, suspended: s.suspended })),
    read('refusalDraft', '/refusal-draft', 'Проект письма об отказе (refusal letter draft)', RefusalDraftSchema, async (n) => {
      const draft = await client.refusalDraft(n);
      if (!draft) throw new HttpProblem(404, 'notFound', 'Проекта отказа нет (no refusal draft)', 'сначала draftDecision с outcome: refuse (draft a refusal first)');
      return RefusalDraftSchema.parse(draft);
    }),
  );
  return routes;
}
