// The case list over a real PostgreSQL (a throwaway cluster of its own): filters, keyset pages over more rows
// than a page, bad filters refused naming the field, the caller's scope, and the string form the HTTP API and
// the operator's command line parse.
import fc from 'fast-check';
import { caseListRequestOf, CaseListQuerySchema, countCases, listCases, type CaseListFilter, type CaseListPage, type CaseListRow, type CaseListScope } from '../../cases';
import { InputValidationError, STAGE_TITLES_RU } from '../../shared';
import { startTestDatabase, type TestDatabase } from '../escalation/support';
import { hostileString, hostileValue } from '../hostile/arbitraries';

let db: TestDatabase;
// Friday 6 March 2026, 10:00 in Moscow.
const NOW = new Date('2026-03-06T10:00:00+03:00');

interface Seed {
  n: string;
  svc?: string;
  stage?: string;
  clerk?: string | null;
  deadline?: string | null;
  overdue?: boolean;
  received?: string;
  completed?: string | null;
  department?: string;
}

// number, service, stage, clerk, deadline, overdue flag, received, completed, department (api_cases)
const SEEDS: Seed[] = [
  { n: 'L-review-1', stage: 'underReview', clerk: 'ivanova', deadline: '2026-03-10T18:00:00+03:00', received: '2026-02-20T09:00:00+03:00' },
  { n: 'L-review-2', stage: 'underReview', clerk: 'petrov', deadline: '2026-03-10T18:00:00+03:00', received: '2026-02-21T09:00:00+03:00' },
  { n: 'L-registered', stage: 'registered', clerk: 'ivanova', deadline: '2026-03-20T18:00:00+03:00', received: '2026-03-02T09:00:00+03:00' },
  { n: 'L-received', stage: 'received', clerk: null, deadline: null, received: '2026-03-05T12:00:00+03:00' },
  { n: 'L-late', stage: 'interagencyRequested', clerk: 'petrov', deadline: '2026-03-05T18:00:00+03:00', received: '2026-02-01T09:00:00+03:00' },
  { n: 'L-flagged', svc: 'SVC-B', stage: 'awaitingApplicant', clerk: null, deadline: '2026-03-30T18:00:00+03:00', overdue: true, received: '2026-02-02T09:00:00+03:00' },
  { n: 'L-other-svc', svc: 'SVC-B', stage: 'underReview', clerk: 'ivanova', deadline: '2026-03-11T18:00:00+03:00', received: '2026-02-25T09:00:00+03:00' },
  { n: 'L-refused-on-time', stage: 'refused', clerk: 'ivanova', deadline: '2026-03-04T18:00:00+03:00', received: '2026-02-03T09:00:00+03:00', completed: '2026-03-03T12:00:00+03:00' },
  { n: 'L-issued-late', stage: 'resultIssued', clerk: 'petrov', deadline: '2026-03-02T18:00:00+03:00', received: '2026-02-04T09:00:00+03:00', completed: '2026-03-04T12:00:00+03:00' },
  { n: 'L-other-dep', stage: 'underReview', clerk: 'ivanova', deadline: '2026-03-12T18:00:00+03:00', received: '2026-02-26T09:00:00+03:00', department: 'other-department' },
];

async function seed(s: Seed): Promise<void> {
  const stage = s.stage ?? 'underReview';
  await db.pool.query(
    `INSERT INTO applications (application_number, service_code, channel, received_at, stage, assigned_clerk, deadline, overdue, completed_at, outcome,
                               due_date, registered_at)
     VALUES ($1, $2, 'epgu', $3, $4, $5, $6, $7, $8, $9, ($6::timestamptz AT TIME ZONE 'Europe/Moscow')::date, CASE WHEN $4 = 'received' THEN NULL ELSE $3::timestamptz + interval '1 day' END)`,
    [s.n, s.svc ?? 'SVC-A', s.received ?? '2026-02-20T09:00:00+03:00', stage, s.clerk ?? null, s.deadline ?? null, s.overdue ?? false, s.completed ?? null, s.completed ? stage : null],
  );
  if (s.department) await db.pool.query(`INSERT INTO api_cases (application_number, department, started_by) VALUES ($1, $2, 'caseSystem:vis')`, [s.n, s.department]);
}

beforeAll(async () => {
  db = await startTestDatabase('case-list');
  for (const s of SEEDS) await seed(s);
  // Many rows for the pages: ties on the deadline, cases without one, microseconds a JS Date cannot hold.
  await db.pool.query(
    `INSERT INTO applications (application_number, service_code, channel, received_at, stage, assigned_clerk, deadline)
     SELECT 'P-' || lpad(i::text, 5, '0'), 'SVC-PAGE', 'mfc',
            timestamptz '2026-01-01 09:00:00+03' + (i % 97) * interval '1 hour' + (i % 7) * interval '1 microsecond',
            (ARRAY['received','registered','underReview'])[1 + i % 3], 'clerk-' || (i % 4),
            CASE WHEN i % 10 = 0 THEN NULL ELSE timestamptz '2026-04-01 18:00:00+03' + (i % 13) * interval '1 day' + (i % 3) * interval '1 microsecond' END
       FROM generate_series(1, 1234) AS i`,
  );
});

afterAll(async () => {
  await db?.stop();
});

const list = (filter: CaseListFilter = {}, page: CaseListPage = {}, scope?: CaseListScope) => listCases(db.pool, { now: NOW, ...filter }, { limit: 500, ...page }, scope);
// The named cases only: they were received from February on, the page rows in January.
const numbers = async (filter: CaseListFilter = {}, page: CaseListPage = {}, scope?: CaseListScope) =>
  (await list({ receivedFrom: '2026-02-01T00:00:00+03:00', ...filter }, page, scope)).items.map((r) => r.applicationNumber);

describe('filters', () => {
  test('by default: open cases, the nearest deadline first, cases without one last', async () => {
    expect(await numbers()).toEqual(['L-late', 'L-review-1', 'L-review-2', 'L-other-svc', 'L-other-dep', 'L-registered', 'L-flagged', 'L-received']);
  });

  test('a row carries the projection and the stage title, and nothing personal', async () => {
    const [row] = (await list({ serviceCode: 'SVC-A', clerk: 'petrov', stage: 'interagencyRequested' })).items;
    expect(row).toEqual<CaseListRow>({
      applicationNumber: 'L-late',
      serviceCode: 'SVC-A',
      channel: 'epgu',
      stage: 'interagencyRequested',
      stageTitle: 'Направлены межведомственные запросы',
      assignedClerk: 'petrov',
      deadline: '2026-03-05T15:00:00.000Z',
      dueDate: '2026-03-05',
      overdue: true,
      receivedAt: '2026-02-01T06:00:00.000Z',
      registeredAt: '2026-02-02T06:00:00.000Z',
      completedAt: null,
      outcome: null,
    });
  });

  test('by stage: one, several, and a final stage lists completed cases without asking', async () => {
    expect(await numbers({ stage: 'underReview' })).toEqual(['L-review-1', 'L-review-2', 'L-other-svc', 'L-other-dep']);
    expect(await numbers({ stage: ['registered', 'received'] })).toEqual(['L-registered', 'L-received']);
    const refused = (await list({ stage: 'refused' })).items;
    expect(refused.map((r) => [r.applicationNumber, r.stageTitle, r.outcome])).toEqual([['L-refused-on-time', STAGE_TITLES_RU.refused, 'refused']]);
    // Asked for open cases explicitly, a final stage has none.
    expect(await numbers({ stage: 'refused', open: true })).toEqual([]);
  });

  test('by service, clerk, unassigned', async () => {
    expect(await numbers({ serviceCode: 'SVC-B' })).toEqual(['L-other-svc', 'L-flagged']);
    expect(await numbers({ clerk: 'ivanova' })).toEqual(['L-review-1', 'L-other-svc', 'L-other-dep', 'L-registered']);
    expect(await numbers({ unassigned: true })).toEqual(['L-flagged', 'L-received']);
    expect(await numbers({ unassigned: false, serviceCode: 'SVC-B' })).toEqual(['L-other-svc']);
  });

  test('open, completed or both', async () => {
    expect(await numbers({ open: false })).toEqual(['L-issued-late', 'L-refused-on-time']);
    expect((await numbers({ open: 'any' })).length).toBe(SEEDS.length);
    const done = (await list({ open: false, serviceCode: 'SVC-A' })).items.find((r) => r.applicationNumber === 'L-refused-on-time')!;
    expect(done.completedAt).toBe('2026-03-03T09:00:00.000Z');
  });

  test('overdue: flagged or past the deadline; a closed case by whether it closed in time', async () => {
    expect(await numbers({ overdue: true })).toEqual(['L-late', 'L-flagged']);
    expect(await numbers({ overdue: true, open: 'any' })).toEqual(['L-issued-late', 'L-late', 'L-flagged']);
    expect(await numbers({ overdue: false, open: false })).toEqual(['L-refused-on-time']);
    expect(await numbers({ overdue: false })).toEqual(['L-review-1', 'L-review-2', 'L-other-svc', 'L-other-dep', 'L-registered', 'L-received']);
    // A week later the Tuesday cases are late too.
    expect(await numbers({ overdue: true, now: new Date('2026-03-11T10:00:00+03:00') })).toEqual(['L-late', 'L-review-1', 'L-review-2', 'L-flagged']);
  });

  test('due before an instant; received within a window (from inclusive, to exclusive)', async () => {
    expect(await numbers({ dueBefore: '2026-03-11T00:00:00+03:00' })).toEqual(['L-late', 'L-review-1', 'L-review-2']);
    expect(await numbers({ receivedFrom: '2026-02-21T09:00:00+03:00', receivedTo: '2026-03-02T09:00:00+03:00' })).toEqual(['L-review-2', 'L-other-svc', 'L-other-dep']);
  });

  test('conditions combine with AND', async () => {
    expect(await numbers({ stage: ['underReview', 'registered'], clerk: 'ivanova', serviceCode: 'SVC-A', dueBefore: '2026-03-15T00:00:00+03:00' })).toEqual(['L-review-1', 'L-other-dep']);
  });
});

describe('scope', () => {
  const department: CaseListScope = { department: 'department', deploymentDepartment: 'department' };
  test('a department sees its own cases and those without a recorded department', async () => {
    expect(await numbers({ stage: 'underReview' }, {}, department)).toEqual(['L-review-1', 'L-review-2', 'L-other-svc']);
    expect(await numbers({ stage: 'underReview' }, {}, { department: 'other-department', deploymentDepartment: 'department' })).toEqual(['L-other-dep']);
  });

  test('a clerk sees only their own cases, whatever the filter asks', async () => {
    expect(await numbers({ stage: 'underReview' }, {}, { ...department, clerk: 'petrov' })).toEqual(['L-review-2']);
    expect(await numbers({ clerk: 'ivanova' }, {}, { ...department, clerk: 'petrov' })).toEqual([]);
  });
});

describe('counts', () => {
  const department: CaseListScope = { department: 'department', deploymentDepartment: 'department' };
  /** Every row of the list, page after page. */
  const listed = async (filter: CaseListFilter, scope?: CaseListScope): Promise<CaseListRow[]> => {
    const rows: CaseListRow[] = [];
    let cursor: string | undefined;
    do {
      const page = await list(filter, cursor ? { cursor } : {}, scope);
      rows.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return rows;
  };

  test.each<[string, CaseListFilter, CaseListScope | undefined]>([
    ['everything open', {}, undefined],
    ['the page rows', { serviceCode: 'SVC-PAGE' }, undefined],
    ['stage, clerk and service', { serviceCode: 'SVC-PAGE', stage: 'underReview', clerk: 'clerk-1' }, undefined],
    ['open and completed', { open: 'any' }, undefined],
    ['overdue, a week later', { overdue: true, now: new Date('2026-03-11T10:00:00+03:00') }, undefined],
    ['not overdue', { overdue: false }, undefined],
    ['the deployment department', {}, department],
    ['another department', { open: 'any' }, { department: 'other-department', deploymentDepartment: 'department' }],
    ['a clerk', { receivedFrom: '2026-02-01T00:00:00+03:00' }, { ...department, clerk: 'petrov' }],
  ])('%s: countCases counts what listCases lists, and the overdue among them', async (_name, filter, scope) => {
    const rows = await listed(filter, scope);
    expect(rows.length).toBeGreaterThan(0);
    expect(await countCases(db.pool, { now: NOW, ...filter }, scope)).toEqual({ total: rows.length, overdue: rows.filter((r) => r.overdue).length });
  });

  test('a bad filter is refused as the list refuses it', async () => {
    await expect(countCases(db.pool, { stage: 'closed' } as unknown as CaseListFilter)).rejects.toMatchObject({ problems: [{ field: 'stage', rule: expect.stringMatching(/одна из стадий/) }] });
    await expect(countCases(db.pool, { clerk: 'ivanova', unassigned: true })).rejects.toBeInstanceOf(InputValidationError);
  });
});

describe('keyset pages', () => {
  async function allPages(filter: CaseListFilter, order: CaseListPage['order'], limit: number): Promise<{ rows: string[]; pages: number }> {
    const rows: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await list(filter, { order, limit, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(limit);
      rows.push(...page.items.map((r) => r.applicationNumber));
      cursor = page.nextCursor ?? undefined;
      pages++;
      expect(pages).toBeLessThan(100);
    } while (cursor);
    return { rows, pages };
  }

  test.each([
    ['deadline', 'deadline ASC NULLS LAST, application_number'],
    ['received', 'received_at, application_number'],
    ['receivedDesc', 'received_at DESC, application_number DESC'],
  ] as const)('order %s: every row once, in order, across pages', async (order, sql) => {
    const { rows: expected } = await db.pool.query<{ application_number: string }>(
      `SELECT application_number FROM applications WHERE service_code = 'SVC-PAGE' AND completed_at IS NULL ORDER BY ${sql}`,
    );
    expect(expected.length).toBe(1234);
    const { rows, pages } = await allPages({ serviceCode: 'SVC-PAGE' }, order, 100);
    expect(pages).toBe(13);
    expect(new Set(rows).size).toBe(rows.length);
    expect(rows).toEqual(expected.map((r) => r.application_number));
  });

  test('with a filter and the default page of 50; the last page has no cursor', async () => {
    const { rows, pages } = await allPages({ serviceCode: 'SVC-PAGE', stage: 'underReview', clerk: 'clerk-1' }, undefined, 50);
    const { rows: expected } = await db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM applications WHERE service_code = 'SVC-PAGE' AND stage = 'underReview' AND assigned_clerk = 'clerk-1'`,
    );
    expect(rows.length).toBe(Number(expected[0].n));
    expect(new Set(rows).size).toBe(rows.length);
    expect(pages).toBe(Math.ceil(rows.length / 50));
    const first = await listCases(db.pool, { serviceCode: 'SVC-PAGE' });
    expect(first.items.length).toBe(50);
    expect(first.nextCursor).toEqual(expect.any(String));
  });

  test('a row that changes between pages is not lost by the rows that stay', async () => {
    const first = await list({ serviceCode: 'SVC-PAGE', stage: 'registered' }, { limit: 100, order: 'received' });
    // A case on the next page moves on (another stage): the remaining ones still come, once each.
    const { rows: next } = await db.pool.query<{ application_number: string }>(
      `SELECT application_number FROM applications WHERE service_code = 'SVC-PAGE' AND stage = 'registered' ORDER BY received_at, application_number OFFSET 100`,
    );
    const moved = next[3].application_number;
    await db.pool.query(`UPDATE applications SET stage = 'underReview' WHERE application_number = $1`, [moved]);
    try {
      const rest: string[] = [];
      let cursor = first.nextCursor;
      while (cursor) {
        const page = await list({ serviceCode: 'SVC-PAGE', stage: 'registered' }, { limit: 100, order: 'received', cursor });
        rest.push(...page.items.map((r) => r.applicationNumber));
        cursor = page.nextCursor;
      }
      expect(rest).toEqual(next.map((r) => r.application_number).filter((n) => n !== moved));
    } finally {
      await db.pool.query(`UPDATE applications SET stage = 'registered' WHERE application_number = $1`, [moved]);
    }
  });
});

describe('bad input is refused, naming the field and the rule', () => {
  const refused = async (filter: unknown, page: unknown = {}): Promise<{ field: string; rule: string }[]> => {
    try {
      await listCases(db.pool, filter as CaseListFilter, page as CaseListPage);
    } catch (err) {
      expect(err).toBeInstanceOf(InputValidationError);
      return (err as InputValidationError).problems;
    }
    throw new Error('accepted');
  };

  const cases: [unknown, unknown, string, RegExp][] = [
    [{ stage: 'closed' }, {}, 'stage', /одна из стадий/],
    [{ stage: [] }, {}, 'stage', /хотя бы одна/],
    [{ serviceCode: 'x'.repeat(100_000) }, {}, 'serviceCode', /не более 64/],
    [{ serviceCode: '  ' }, {}, 'serviceCode', /пустым/],
    [{ clerk: 'ivanova', unassigned: true }, {}, 'unassigned', /clerk/],
    [{ open: 'sometimes' }, {}, 'open', /true, false или any/],
    [{ dueBefore: 'tomorrow' }, {}, 'dueBefore', /ISO 8601/],
    [{ dueBefore: '2026-03-10T10:00:00' }, {}, 'dueBefore', /часовым поясом/],
    [{ receivedFrom: '0000-01-01T00:00:00Z' }, {}, 'receivedFrom', /0001/],
    [{ receivedFrom: '2026-03-10T00:00:00Z', receivedTo: '2026-03-01T00:00:00Z' }, {}, 'receivedTo', /позже receivedFrom/],
    [{ department: 'other' }, {}, '', /неизвестные поля: department/],
    [{}, { limit: 0 }, 'limit', /от 1 до 500/],
    [{}, { limit: 501 }, 'limit', /от 1 до 500/],
    [{}, { order: 'random' }, 'order', /одно из deadline/],
    [{}, { cursor: 'not a cursor!' }, 'cursor', /nextCursor/],
    [{}, { cursor: 'A'.repeat(10_000) }, 'cursor', /не более 512/],
    [{}, { cursor: Buffer.from('{"v":1,"o":"deadline","k":"x; DROP TABLE applications","n":"a","f":"b"}').toString('base64url') }, 'cursor', /nextCursor/],
  ];
  test.each(cases.map(([filter, page, field, rule]) => [field || '(root)', JSON.stringify({ filter, page }).slice(0, 80), filter, page, field, rule] as const))('%s: %s', async (_l, _t, filter, page, field, rule) => {
    const problems = await refused(filter, page);
    expect(problems).toContainEqual({ field, rule: expect.stringMatching(rule) });
  });

  test('a cursor is good only for the filters and order it was made for', async () => {
    const first = await list({ serviceCode: 'SVC-PAGE' }, { limit: 10 });
    expect(await refused({ serviceCode: 'SVC-PAGE', stage: 'received' }, { limit: 10, cursor: first.nextCursor })).toEqual([
      { field: 'cursor', rule: expect.stringMatching(/другие фильтры|других фильтров/) },
    ]);
    expect(await refused({ serviceCode: 'SVC-PAGE' }, { order: 'received', cursor: first.nextCursor })).toEqual([{ field: 'cursor', rule: expect.stringMatching(/других фильтров/) }]);
    // The same filters and order carry on; the page size may change.
    expect((await listCases(db.pool, { serviceCode: 'SVC-PAGE' }, { limit: 20, cursor: first.nextCursor! })).items.length).toBe(20);
  });
});

describe('the string form (query string, command line)', () => {
  const parse = (q: Record<string, unknown>) => CaseListQuerySchema.safeParse(q);

  test('turns strings into the filter and the page', () => {
    const r = parse({ stage: 'underReview, registered', clerk: 'ivanova', unassigned: 'false', open: 'any', overdue: 'true', limit: '20', order: 'received' });
    expect(r.success).toBe(true);
    expect(caseListRequestOf(r.data!)).toEqual({
      filter: { stage: ['underReview', 'registered'], clerk: 'ivanova', unassigned: false, open: 'any', overdue: true },
      page: { limit: 20, order: 'received' },
    });
    expect(parse({ stage: ['refused', 'cancelled'] }).data).toEqual({ stage: ['refused', 'cancelled'] });
    expect(parse({ open: 'false' }).data).toEqual({ open: false });
  });

  const cases: [Record<string, unknown>, string][] = [
    [{ stage: 'underReview,closed' }, 'stage[1]'],
    [{ stage: 'a,'.repeat(1000) }, 'stage'],
    [{ overdue: 'yes' }, 'overdue'],
    [{ limit: '1e3' }, 'limit'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '99999999999' }, 'limit'],
    [{ receivedFrom: '2026-03-10T00:00:00Z', receivedTo: '2026-03-10T00:00:00Z' }, 'receivedTo'],
    [{ stages: 'underReview' }, ''],
  ];
  test.each(cases.map(([q, field]) => [JSON.stringify(q).slice(0, 60), field, q] as const))('%s is refused at "%s"', (_t, field, q) => {
    const r = parse(q);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.map(String).reduce((a, p) => (/^\d+$/.test(p) ? `${a}[${p}]` : a ? `${a}.${p}` : p), ''))).toContain(field);
  });
});

describe('hostile input (fast-check)', () => {
  const KEYS = ['stage', 'serviceCode', 'clerk', 'unassigned', 'open', 'overdue', 'dueBefore', 'receivedFrom', 'receivedTo', 'limit', 'cursor', 'order'];
  const plausible = fc.constantFrom('true', 'false', 'any', 'underReview', 'refused,cancelled', 'received, registered', '2026-03-01T00:00:00Z', '2026-03-01T00:00:00+03:00', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59-14:00', '10', '500', 'deadline', 'receivedDesc', 'SVC-PAGE', 'clerk-1');
  // What a query string can carry: strings, or arrays of them when a parameter repeats.
  const query = fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), hostileString(20)), fc.oneof(plausible, hostileString(300), fc.array(fc.oneof(plausible, hostileString(50)), { maxLength: 12 })), { maxKeys: 6 });
  const cyrillic = /[А-Яа-яЁё]/;

  test('any query is a page or a refusal naming each field in Russian and English, never a database error', async () => {
    let pages = 0;
    let refusals = 0;
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const r = CaseListQuerySchema.safeParse(q);
        if (!r.success) {
          refusals++;
          for (const issue of r.error.issues) expect(issue.message).toMatch(cyrillic);
          return;
        }
        const { filter, page } = caseListRequestOf(r.data);
        try {
          expect((await listCases(db.pool, filter, page)).items.length).toBeLessThanOrEqual(page.limit ?? 50);
          pages++;
        } catch (err) {
          expect(err).toBeInstanceOf(InputValidationError);
          refusals++;
        }
      }),
      { numRuns: 400 },
    );
    // Both kinds of outcome happened: the property was not vacuous.
    expect(pages).toBeGreaterThan(10);
    expect(refusals).toBeGreaterThan(10);
  });

  test('any cursor, forged or mangled, is a page or a refusal naming the cursor', async () => {
    const real = (await list({ serviceCode: 'SVC-PAGE' }, { limit: 5 })).nextCursor!;
    const decoded = JSON.parse(Buffer.from(real, 'base64url').toString('utf8')) as Record<string, unknown>;
    // Keys shaped like ours but not instants (PostgreSQL would fail the cast): refused before any SQL.
    for (const k of ['2026-13-45T99:99:99.000000Z', '2026-02-30T10:00:00.000000Z', '0000-01-01T00:00:00.000000Z', '2026-03-01T24:00:00.000000Z']) {
      await expect(listCases(db.pool, { serviceCode: 'SVC-PAGE' }, { limit: 5, cursor: Buffer.from(JSON.stringify({ ...decoded, k })).toString('base64url') })).rejects.toMatchObject({
        problems: [{ field: 'cursor', rule: expect.stringContaining('nextCursor') }],
      });
    }
    const forged = fc.oneof(
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url')),
      fc.record({ key: fc.constantFrom('v', 'o', 'k', 'n', 'f'), value: hostileValue }).map(({ key, value }) => Buffer.from(JSON.stringify({ ...decoded, [key]: value })).toString('base64url')),
      hostileString(100).map((t) => Buffer.from(t).toString('base64url')),
    );
    await fc.assert(
      fc.asyncProperty(forged, async (cursor) => {
        try {
          await listCases(db.pool, { serviceCode: 'SVC-PAGE' }, { limit: 5, cursor });
        } catch (err) {
          expect(err).toBeInstanceOf(InputValidationError);
          expect((err as InputValidationError).problems.map((p) => p.field)).toEqual(['cursor']);
        }
      }),
      { numRuns: 300 },
    );
  });
});
