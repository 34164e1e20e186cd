// Hostile HTTP: oversized bodies, malformed JSON, deep nesting, prototype keys, header injection, path
// traversal, floods — each a clear 4xx problem, and the server keeps answering.
import * as net from 'node:net';
import { ApiContext, createApiContext, newKey, TOKENS } from './support';
import { simpleResultPdf } from '../../scripts/demoDocuments';
import { sampleApplication } from '../support/harness';

let api: ApiContext;
beforeAll(async () => {
  api = await createApiContext('http-hostile', { limits: { bodyBytes: 64 * 1024, ratePerMinute: 400 } });
});
afterAll(async () => {
  await api?.close();
});

const post = (rawBody: string, extra: Record<string, string> = {}) =>
  api.raw('/applications', {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.caseSystem}`, 'idempotency-key': newKey('hostile'), 'content-type': 'application/json', ...extra },
    body: rawBody,
  });

async function expectAlive(): Promise<void> {
  const r = await api.raw('/health');
  expect(r.status).toBe(200);
}

function expectProblem(r: { status: number; headers: Headers; text: string }, status: number): any {
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toContain('application/problem+json');
  const p = JSON.parse(r.text);
  expect(p).toMatchObject({ status, type: expect.stringMatching(/^urn:case-lifecycle:problem:/), title: expect.any(String) });
  return p;
}

describe('hostile bodies', () => {
  it('refuses an oversized body with 413 before parsing it', async () => {
    const big = JSON.stringify({ ...sampleApplication(), officeName: 'x'.repeat(70 * 1024) });
    expectProblem(await post(big), 413);
    await expectAlive();
  });

  it('refuses malformed JSON with 400 without echoing the body', async () => {
    const p = expectProblem(await post('{"applicationNumber": "A-1", "applicant": {"snils": "112-233-445 95"'), 400);
    expect(JSON.stringify(p)).not.toContain('112-233-445');
    expectProblem(await post(''), 400);
    await expectAlive();
  });

  it('refuses deep nesting with 400 naming the limit', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const p = expectProblem(await post(deep), 400);
    expect(p.errors[0].rule).toContain('32');
    const deepGrounds = { clerk: 'ivanova', outcome: 'refuse', grounds: [{ code: 'missing-documents', facts: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) }] };
    const r = await api.raw('/cases/X-1/actions/draft-decision', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.caseSystem}`, 'idempotency-key': newKey(), 'content-type': 'application/json' },
      body: JSON.stringify(deepGrounds),
    });
    expectProblem(r, 400);
    await expectAlive();
  });

  it('refuses prototype keys', async () => {
    expectProblem(await post('{"__proto__": {"admin": true}}'), 400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('names every wrong field of a body of the wrong shape', async () => {
    const p = expectProblem(await post(JSON.stringify({ applicationNumber: 5, channel: 'fax' })), 400);
    const fields = p.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['applicationNumber', 'channel', 'serviceCode', 'receivedAt', 'applicant']));
  });

  it('refuses a body in another media type with 415', async () => {
    expectProblem(await post('<xml/>', { 'content-type': 'application/xml' }), 415);
  });
});

describe('hostile headers and paths', () => {
  it('refuses an Idempotency-Key with control or non-ASCII characters', async () => {
    const p = expectProblem(await post(JSON.stringify(sampleApplication()), { 'idempotency-key': 'abc def' }), 400);
    expect(p.errors[0].field).toBe('header.Idempotency-Key');
    expectProblem(await post(JSON.stringify(sampleApplication()), { 'idempotency-key': 'cl\u00e9' }), 400);
  });

  it('answers a raw CR/LF header injection with 400 from the HTTP parser, and stays up', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const { port } = new URL(api.url);
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Evil: a\rSet-Cookie: pwned=1\r\n\r\n`);
      });
      let data = '';
      socket.setTimeout(10_000, () => reject(new Error('no answer within 10 s')));
      socket.on('data', (d) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect(raw).not.toContain('pwned');
    await expectAlive();
  });

  it('does not reflect a request header into the answer', async () => {
    const r = await api.raw('/cases/ABC-1', { headers: { authorization: `Bearer ${TOKENS.operator}`, 'x-forwarded-host': 'evil.example' } });
    expect(JSON.stringify([...r.headers.entries()])).not.toContain('evil.example');
  });

  it('refuses path traversal in an application number and in the docs', async () => {
    const auth = { authorization: `Bearer ${TOKENS.operator}` };
    const p = expectProblem(await api.raw('/cases/..%2F..%2Fetc%2Fpasswd', { headers: auth }), 400);
    expect(p.errors[0].field).toBe('params.applicationNumber');
    expectProblem(await api.raw('/docs/..%2F..%2Fpackage.json'), 404);
    expectProblem(await api.raw('/docs/../../package.json'), 404);
    const tooLong = await api.raw(`/cases/${'A'.repeat(300)}`, { headers: auth });
    expect(tooLong.status).toBeGreaterThanOrEqual(400);
    expect(tooLong.status).toBeLessThan(500);
    await expectAlive();
  });

  it('limits the rate per caller with 429 and Retry-After', async () => {
    let limited: { status: number; headers: Headers; text: string } | undefined;
    let sent = 0;
    for (; sent < 500 && !limited; sent++) {
      const r = await api.raw('/tasks', { headers: { authorization: `Bearer ${TOKENS.management}` } });
      if (r.status === 429) limited = r;
    }
    expect(limited).toBeDefined();
    expect(sent).toBeLessThanOrEqual(401);
    expectProblem(limited!, 429);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another caller is not affected.
    const other = await api.raw('/tasks', { headers: { authorization: `Bearer ${TOKENS.operator}` } });
    expect(other.status).toBe(200);
  });
});

describe('hostile result documents', () => {
  const upload = (no: string, body: string) =>
    api.raw(`/cases/${encodeURIComponent(no)}/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.caseSystem}`, 'idempotency-key': newKey('doc'), 'content-type': 'application/json' },
      body,
    });

  it('refuses a document over 10 MiB naming the field, and a body over the route limit with 413', async () => {
    const app = sampleApplication();
    expect((await post(JSON.stringify(app))).status).toBe(201);
    // 10 MiB + 1 byte has the same base64 length as 10 MiB: the exact bound is checked on the decoded bytes.
    const over = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20);
    over.write('%PDF-1.7', 0, 'latin1');
    const p = expectProblem(await upload(app.applicationNumber, JSON.stringify({ fileName: 'result.pdf', contentBase64: over.toString('base64') })), 400);
    expect(JSON.stringify(p)).toContain('"field":"contentBase64"');
    expectProblem(await upload(app.applicationNumber, JSON.stringify({ fileName: 'result.pdf', contentBase64: 'A'.repeat(15 * 1024 * 1024) })), 413);
    await expectAlive();
  });

  it('refuses bad base64 naming the field', async () => {
    const p = expectProblem(await upload(sampleApplication().applicationNumber, JSON.stringify({ fileName: 'result.pdf', contentBase64: 'JVBERi0x%%%not*base64' })), 400);
    expect(JSON.stringify(p)).toContain('"field":"contentBase64"');
    const sig = expectProblem(await upload(sampleApplication().applicationNumber, JSON.stringify({ fileName: 'result.pdf', contentBase64: 'JVBERi0xLjc=', signaturePkcs7Base64: 'a b' })), 400);
    expect(JSON.stringify(sig)).toContain('"field":"signaturePkcs7Base64"');
  });

  it('refuses a disguised type: an executable named .pdf, a PDF named .xml', async () => {
    const app = sampleApplication();
    const started = await post(JSON.stringify(app));
    expect(started.status).toBe(201);
    const exe = Buffer.concat([Buffer.from('MZ', 'latin1'), Buffer.alloc(512, 0x90)]);
    const p = expectProblem(await upload(app.applicationNumber, JSON.stringify({ fileName: 'result.pdf', contentBase64: exe.toString('base64') })), 400);
    expect(JSON.stringify(p)).toContain('"field":"contentBase64"');
    const pdf = simpleResultPdf(['disguised']);
    const named = expectProblem(await upload(app.applicationNumber, JSON.stringify({ fileName: 'result.xml', contentBase64: pdf.toString('base64') })), 400);
    expect(JSON.stringify(named)).toContain('"field":"fileName"');
    const { rowCount } = await api.ctx.pool.query('SELECT 1 FROM result_documents WHERE application_number = $1', [app.applicationNumber]);
    expect(rowCount).toBe(0);
  });
});
