// GET /cases over HTTP: the list read from the applications projection, each caller seeing what the access rules
// let them see (a clerk their own cases, other roles their department's), bad query strings refused as
// problem+json naming the field, pages over more rows than one page. Every answer is checked against the
// committed OpenAPI document. The rows are the projection's (the lifecycle that writes them is covered by the
// contract test, which lists a case it drove over HTTP).
import { ApiContext, createApiContext, TOKENS } from './support';

let api: ApiContext;
// The suite's database is shared by every test file of a run: these rows have a service of their own.
const SVC = `case-list-${process.pid}`;

interface Seed {
  n: string;
  stage: string;
  clerk: string | null;
  deadline: string | null;
  completed?: string;
  department?: string;
}

const SEEDS: Seed[] = [
  { n: `CL${process.pid}-ivanova-1`, stage: 'underReview', clerk: 'ivanova', deadline: '2030-03-10T18:00:00+03:00' },
  { n: `CL${process.pid}-ivanova-2`, stage: 'registered', clerk: 'ivanova', deadline: '2030-03-12T18:00:00+03:00', department: 'department' },
  { n: `CL${process.pid}-petrov-1`, stage: 'underReview', clerk: 'petrov', deadline: '2030-03-11T18:00:00+03:00' },
  { n: `CL${process.pid}-unassigned`, stage: 'received', clerk: null, deadline: null },
  { n: `CL${process.pid}-late`, stage: 'interagencyRequested', clerk: 'petrov', deadline: '2020-03-05T18:00:00+03:00' },
  { n: `CL${process.pid}-done`, stage: 'resultIssued', clerk: 'ivanova', deadline: '2030-03-01T18:00:00+03:00', completed: '2026-02-20T12:00:00+03:00' },
  { n: `CL${process.pid}-other-dep`, stage: 'underReview', clerk: 'ivanova', deadline: '2030-03-09T18:00:00+03:00', department: 'other-department' },
];
const no = (suffix: string) => `CL${process.pid}-${suffix}`;

beforeAll(async () => {
  api = await createApiContext('http-case-list', { worker: false });
  for (const s of SEEDS) {
    await api.ctx.pool.query(
      `INSERT INTO applications (application_number, service_code, channel, received_at, stage, assigned_clerk, deadline, completed_at, outcome)
       VALUES ($1, $2, 'epgu', '2026-02-01T09:00:00+03:00', $3, $4, $5, $6, $7)`,
      [s.n, SVC, s.stage, s.clerk, s.deadline, s.completed ?? null, s.completed ? s.stage : null],
    );
    if (s.department) await api.ctx.pool.query(`INSERT INTO api_cases (application_number, department, started_by) VALUES ($1, $2, 'caseSystem:vis')`, [s.n, s.department]);
  }
});
afterAll(async () => {
  await api?.close();
});

const list = (token: string | null, query: Record<string, string> = {}) => api.call({ method: 'GET', path: '/cases', query: { serviceCode: SVC, ...query }, token });
const numbers = async (token: string, query: Record<string, string> = {}) => {
  const r = await list(token, query);
  expect(r.status).toBe(200);
  return (r.body.items as { applicationNumber: string }[]).map((i) => i.applicationNumber);
};

describe('who sees what', () => {
  it('a head sees the open cases of their department, nearest deadline first, none of another department', async () => {
    expect(await numbers(TOKENS.head)).toEqual([no('late'), no('ivanova-1'), no('petrov-1'), no('ivanova-2'), no('unassigned')]);
    expect(await numbers(TOKENS.otherHead)).toEqual([no('other-dep')]);
  });

  it('the case system, management and the operator see the department too', async () => {
    for (const token of [TOKENS.caseSystem, TOKENS.management, TOKENS.operator]) expect(await numbers(token, { stage: 'underReview' })).toEqual([no('ivanova-1'), no('petrov-1')]);
  });

  it('a clerk sees only the cases assigned to them', async () => {
    expect(await numbers(TOKENS.ivanova)).toEqual([no('ivanova-1'), no('ivanova-2')]);
    expect(await numbers(TOKENS.ivanova, { clerk: 'ivanova', open: 'any' })).toEqual([no('done'), no('ivanova-1'), no('ivanova-2')]);
    expect(await numbers(TOKENS.petrov)).toEqual([no('late'), no('petrov-1')]);
  });

  it('a clerk asking for another clerk’s or the unassigned cases is refused, naming the field, and audited', async () => {
    const other = await list(TOKENS.ivanova, { clerk: 'petrov' });
    expect(other.status).toBe(403);
    expect(other.headers['content-type']).toContain('application/problem+json');
    expect(other.body.errors).toEqual([{ field: 'querystring.clerk', rule: expect.stringContaining('your id from the token') }]);
    const unassigned = await list(TOKENS.petrov, { unassigned: 'true' });
    expect(unassigned.status).toBe(403);
    expect(unassigned.body.errors).toEqual([{ field: 'querystring.unassigned', rule: expect.any(String) }]);
    const { rows } = await api.ctx.pool.query(`SELECT actor_subject, outcome, status FROM api_audit WHERE operation = 'listCases' ORDER BY id`);
    expect(rows).toEqual(expect.arrayContaining([{ actor_subject: 'ivanova', outcome: 'refused', status: 403 }, { actor_subject: 'petrov', outcome: 'refused', status: 403 }]));
  });

  it('no token, no list', async () => {
    expect((await list(null)).status).toBe(401);
  });
});

describe('filters over HTTP', () => {
  it('rows carry the stage title in Russian and nothing personal', async () => {
    const r = await list(TOKENS.head, { stage: 'interagencyRequested' });
    expect(r.body).toEqual({
      items: [
        {
          applicationNumber: no('late'),
          serviceCode: SVC,
          channel: 'epgu',
          stage: 'interagencyRequested',
          stageTitle: 'Направлены межведомственные запросы',
          assignedClerk: 'petrov',
          deadline: '2020-03-05T15:00:00.000Z',
          dueDate: null,
          overdue: true,
          receivedAt: '2026-02-01T06:00:00.000Z',
          registeredAt: null,
          completedAt: null,
          outcome: null,
        },
      ],
      nextCursor: null,
    });
  });

  it('open, completed, a final stage, overdue, unassigned, several stages (comma-separated or repeated)', async () => {
    expect(await numbers(TOKENS.head, { open: 'false' })).toEqual([no('done')]);
    expect(await numbers(TOKENS.head, { stage: 'resultIssued' })).toEqual([no('done')]);
    expect(await numbers(TOKENS.head, { overdue: 'true' })).toEqual([no('late')]);
    expect(await numbers(TOKENS.head, { unassigned: 'true' })).toEqual([no('unassigned')]);
    expect(await numbers(TOKENS.head, { stage: 'received,registered' })).toEqual([no('ivanova-2'), no('unassigned')]);
    const repeated = await api.raw(`/cases?serviceCode=${SVC}&stage=received&stage=registered`, { headers: { authorization: `Bearer ${TOKENS.head}` } });
    expect(repeated.status).toBe(200);
    expect(JSON.parse(repeated.text).items.map((i: { applicationNumber: string }) => i.applicationNumber)).toEqual([no('ivanova-2'), no('unassigned')]);
    expect(await numbers(TOKENS.head, { dueBefore: '2030-03-11T00:00:00+03:00', order: 'deadline' })).toEqual([no('late'), no('ivanova-1')]);
  });

  const bad: [Record<string, string>, string][] = [
    [{ stage: 'closed' }, 'querystring.stage[0]'],
    [{ overdue: 'yes' }, 'querystring.overdue'],
    [{ limit: '0' }, 'querystring.limit'],
    [{ limit: '501' }, 'querystring.limit'],
    [{ dueBefore: '2030-03-11' }, 'querystring.dueBefore'],
    [{ receivedFrom: '2026-03-01T00:00:00Z', receivedTo: '2026-02-01T00:00:00Z' }, 'querystring.receivedTo'],
    [{ order: 'random' }, 'querystring.order'],
    [{ cursor: 'x'.repeat(600) }, 'querystring.cursor'],
    [{ stages: 'received' }, 'querystring.(root)'],
  ];
  it.each(bad.map(([q, f]) => [JSON.stringify(q).slice(0, 60), f, q] as const))('%s → 400 naming %s', async (_t, field, query) => {
    const r = await list(TOKENS.head, query);
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.body.errors).toContainEqual({ field, rule: expect.any(String) });
  });
});

describe('pages over HTTP', () => {
  const PAGE_SVC = `case-list-pages-${process.pid}`;
  beforeAll(async () => {
    await api.ctx.pool.query(
      `INSERT INTO applications (application_number, service_code, channel, received_at, stage, assigned_clerk, deadline)
       SELECT 'CLP${process.pid}-' || lpad(i::text, 4, '0'), $1, 'mfc', now(), 'underReview', 'clerk-' || (i % 3),
              CASE WHEN i % 9 = 0 THEN NULL ELSE timestamptz '2030-04-01 18:00:00+03' + (i % 5) * interval '1 day' END
         FROM generate_series(1, 120) AS i`,
      [PAGE_SVC],
    );
  });

  it('walks 120 rows in pages of 50: each row once, the last page without a cursor', async () => {
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const r = await api.call({ method: 'GET', path: '/cases', query: { serviceCode: PAGE_SVC, limit: '50', ...(cursor ? { cursor } : {}) }, token: TOKENS.head });
      expect(r.status).toBe(200);
      sizes.push(r.body.items.length);
      seen.push(...r.body.items.map((i: { applicationNumber: string }) => i.applicationNumber));
      cursor = r.body.nextCursor;
    } while (cursor && sizes.length < 10);
    expect(sizes).toEqual([50, 50, 20]);
    expect(new Set(seen).size).toBe(120);
  });

  it('refuses a cursor with other filters, naming the cursor', async () => {
    const first = await api.call({ method: 'GET', path: '/cases', query: { serviceCode: PAGE_SVC, limit: '10' }, token: TOKENS.head });
    const other = await api.call({ method: 'GET', path: '/cases', query: { serviceCode: PAGE_SVC, clerk: 'clerk-1', cursor: first.body.nextCursor }, token: TOKENS.head });
    expect(other.status).toBe(400);
    expect(other.body.errors).toEqual([{ field: 'querystring.cursor', rule: expect.stringContaining('other filters') }]);
  });
});
