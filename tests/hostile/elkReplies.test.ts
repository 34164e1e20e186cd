// Hostile replies from the ЕЛК / SMEV adapter side. Whatever comes back — malformed XML, wrong namespace,
// oversized or never-ending bodies, invalid JSON, odd statuses and content types — the client ends with a typed
// error (SmevTransportError / SmevRejectedError / ElkXmlError) or a typed reply, within its timeout.
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { v1 as uuidv1 } from 'uuid';
import { buildElkOrderResponse, ElkXmlError, parseElkOrderResponse, SmevAdapterClient, SmevRejectedError, SmevTransportError } from '../../epgu';
import { parseXml, XmlParseError } from '../../epgu/xmlReader';
import { hostileString } from './arbitraries';

const NS = 'http://epgu.gosuslugi.ru/elk/status/1.0.2';
const VALID = buildElkOrderResponse({ kind: 'update', code: 0, message: 'OK', orders: [{ orderNumber: 'A-1', elkOrderNumber: '9223372036854775807', status: 0, message: 'OK' }] });
const MIB = 1024 * 1024;

function expectElkXmlErrorOrResponse(xml: string): void {
  try {
    const r = parseElkOrderResponse(xml);
    expect(Number.isInteger(r.code)).toBe(true);
    expect(r.orders.length).toBeGreaterThan(0);
  } catch (e) {
    expect(e).toBeInstanceOf(ElkXmlError);
  }
}

describe('parseElkOrderResponse on hostile XML', () => {
  it('arbitrary strings and splices of a valid reply: a response or an ElkXmlError, nothing else', () => {
    fc.assert(
      fc.property(fc.nat(VALID.length), fc.nat(VALID.length), fc.oneof(hostileString(40), fc.constantFrom('<', '>', '&', '</x>', '<x/>', '<![CDATA[', 'xmlns:a="u"', '&#0;', '&#x110000;')), (a, b, insert) => {
        expectElkXmlErrorOrResponse(VALID.slice(0, Math.min(a, b)) + insert + VALID.slice(Math.max(a, b)));
      }),
      { numRuns: 300 },
    );
    fc.assert(fc.property(hostileString(500), (s) => expectElkXmlErrorOrResponse(s)), { numRuns: 200 });
  });

  it.each([
    ['wrong namespace', VALID.replace(NS, 'http://epgu.gosuslugi.ru/elk/status/1.0.1')],
    ['no namespace', VALID.replace(` xmlns="${NS}"`, '')],
    ['a request instead of a response', VALID.replace(/ElkOrderResponse/g, 'ElkOrderRequest')],
    ['both choices', VALID.replace('</UpdateOrdersResponse>', '</UpdateOrdersResponse><CreateOrdersResponse/>')],
    ['unknown code outside xsd:short', VALID.replace('<code>0</code>', '<code>99999999</code>')],
    ['non-numeric status', VALID.replace('<status>0</status>', '<status>OK</status>')],
    ['elkOrderNumber beyond xsd:long', VALID.replace('9223372036854775807', '92233720368547758070')],
    ['unknown element', VALID.replace('<message>OK</message>', '<message>OK</message><evil/>')],
    ['DOCTYPE with entities', `<!DOCTYPE r [<!ENTITY a "${'x'.repeat(100)}">]>${VALID.replace('OK', '&a;')}`],
    ['external entity', `<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>${VALID}`],
    ['deep nesting', `<ElkOrderResponse xmlns="${NS}">${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</ElkOrderResponse>`],
    ['a body over 1 MiB', VALID.replace('<message>OK</message>', `<message>${'x'.repeat(MIB)}</message>`)],
    ['unclosed root', VALID.slice(0, -5)],
    ['empty', ''],
  ])('refuses %s with ElkXmlError', (_label, xml) => {
    expect(() => parseElkOrderResponse(xml)).toThrow(ElkXmlError);
  });

  it('accepts unknown but well-formed result codes as numbers (the caller decides)', () => {
    const r = parseElkOrderResponse(VALID.replace('<status>0</status>', '<status>777</status>'));
    expect(r.orders[0]!.status).toBe(777);
  });

  it('the XML reader refuses more than 1 MiB before parsing', () => {
    const big = `<a>${'x'.repeat(MIB)}</a>`;
    expect(() => parseXml(big)).toThrow(XmlParseError);
    expect(() => parseXml(`<a>${'я'.repeat(MIB / 2)}</a>`)).toThrow(XmlParseError); // 1 MiB in UTF-8 bytes, half in chars
  });
});

// ---- SmevAdapterClient against a local server that misbehaves on purpose ----

type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let behaviour: Behaviour = (_req, res) => res.end();
let server: http.Server;
let baseUrl: string;
const sockets = new Set<import('node:net').Socket>();
const TIMEOUT_MS = 400;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume(); // drain the request; the reply is what matters
    req.on('end', () => behaviour(req, res));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

const client = () => new SmevAdapterClient({ baseUrl, itSystem: 'HOSTILE_TEST', requestTimeoutMs: TIMEOUT_MS });

/** Runs one call; it must settle within the timeout (plus slack) as a typed outcome. */
async function settle(call: () => Promise<unknown>): Promise<{ value?: unknown; error?: unknown }> {
  const guard = new Promise<'hang'>((r) => setTimeout(() => r('hang'), TIMEOUT_MS * 5).unref());
  const outcome = await Promise.race([
    call().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    guard,
  ]);
  if (outcome === 'hang') throw new Error('client call did not settle: it hangs');
  return outcome;
}

function expectTyped(r: { value?: unknown; error?: unknown }): void {
  if ('error' in r && r.error !== undefined) {
    const ok = r.error instanceof SmevTransportError || r.error instanceof SmevRejectedError;
    if (!ok) throw new Error(`untyped error: ${String(r.error)}`);
  }
}

const reply = (status: number, contentType: string | null, body: string | Buffer): Behaviour => (_req, res) => {
  const headers: Record<string, string> = {};
  if (contentType) headers['content-type'] = contentType;
  res.writeHead(status, headers);
  res.end(body);
};

const findBody = (xml: string) =>
  JSON.stringify({
    queryResult: [
      {
        smevMetadata: { messageId: uuidv1() },
        message: { messageType: 'ResponseMessageType', responseMetadata: {}, responseContent: { content: { messagePrimaryContent: { any: xml } } } },
      },
    ],
  });

describe('SmevAdapterClient against a hostile adapter', () => {
  it('any status, content type and body: send and findResponse settle as typed outcomes', async () => {
    const body = fc.oneof(
      hostileString(200),
      fc.jsonValue().map((j) => JSON.stringify(j)),
      fc.constantFrom('{"messageId":""}', '{"messageId":"m-1"}', '{"queryResult":[]}', '{"queryResult":null}', '{"fault":{"type":"SyncFault"}}', '{"fault":{"code":"MessageIsAlreadySent"}}', '[]', 'null'),
      hostileString(60).map((s) => findBody(VALID.replace('<message>OK</message>', `<message>${s}</message>`))),
      hostileString(60).map((s) => findBody(s)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(200, 201, 204, 302, 400, 401, 404, 408, 409, 413, 429, 500, 502, 503),
        fc.constantFrom('application/json', 'text/html', 'application/xml', 'application/octet-stream', 'application/json; charset=koi8-r', null),
        body,
        async (status, ct, text) => {
          behaviour = reply(status, ct, status === 204 ? '' : text);
          expectTyped(await settle(() => client().send({ clientId: uuidv1(), content: '<x/>' })));
          expectTyped(await settle(() => client().findResponse(uuidv1())));
        },
      ),
      { numRuns: 120 },
    );
  });

  it.each<[string, Behaviour, 'transport' | 'rejected']>([
    ['a body over the 8 MiB reply limit (declared)', (_q, s) => { s.writeHead(200, { 'content-length': String(9 * MIB) }); s.write('{'); }, 'transport'],
    ['a body over the 8 MiB reply limit (chunked)', (_q, s) => { s.writeHead(200); s.end(Buffer.alloc(9 * MIB, 0x20)); }, 'transport'],
    ['headers, then a body that never ends', (_q, s) => { s.writeHead(200, { 'content-type': 'application/json' }); s.write('{"queryResult": ['); }, 'transport'],
    ['a server that never answers', () => undefined, 'transport'],
    ['a dropped connection', (q) => q.socket.destroy(), 'transport'],
    ['a body cut short', (_q, s) => { s.writeHead(200, { 'content-length': '100' }); s.write('{"mess'); setTimeout(() => s.socket?.destroy(), 20); }, 'transport'],
    ['invalid JSON with 200', reply(200, 'application/json', '{"messageId": '), 'transport'],
    ['HTML from a proxy with 502', reply(502, 'text/html', '<html><body>Bad Gateway</body></html>'), 'transport'],
    ['a ValidationFault', reply(400, 'application/json', '{"fault":{"type":"ValidationFault","code":"X","description":"bad"}}'), 'rejected'],
    ['an unknown 4xx without a body', reply(404, null, ''), 'rejected'],
    ['a redirect', reply(302, 'text/plain', ''), 'transport'],
  ])('send: %s → typed error within the timeout', async (_label, b, kind) => {
    behaviour = b;
    const r = await settle(() => client().send({ clientId: uuidv1(), content: '<x/>' }));
    expect(r.error).toBeInstanceOf(kind === 'transport' ? SmevTransportError : SmevRejectedError);
  });

  it.each([
    ['malformed ElkOrderResponse XML', findBody('<ElkOrderResponse')],
    ['an ElkOrderResponse in the wrong namespace', findBody(VALID.replace(NS, 'urn:evil'))],
    ['an ElkOrderResponse over 1 MiB', findBody(VALID.replace('<message>OK</message>', `<message>${'x'.repeat(MIB + 10)}</message>`))],
    ['an unknown messageType', JSON.stringify({ queryResult: [{ smevMetadata: {}, message: { messageType: 'EvilType' } }] })],
    ['a reply with two contents', JSON.stringify({ queryResult: [{ smevMetadata: {}, message: { messageType: 'ResponseMessageType', responseMetadata: {}, responseContent: { rejects: [], status: { code: 'x' } } } }] })],
  ])('findResponse: %s → SmevTransportError (retried later, never a crash)', async (_label, body) => {
    behaviour = reply(200, 'application/json', body);
    const r = await settle(() => client().findResponse(uuidv1()));
    expect(r.error).toBeInstanceOf(SmevTransportError);
  });

  it('findResponse ignores a reply addressed to another clientId and accepts unknown ЕЛК codes as data', async () => {
    const other = JSON.stringify({
      queryResult: [
        { smevMetadata: {}, message: { messageType: 'ResponseMessageType', responseMetadata: { replyToClientId: uuidv1() }, responseContent: { content: { messagePrimaryContent: VALID } } } },
      ],
    });
    behaviour = reply(200, 'application/json', other);
    expect((await settle(() => client().findResponse(uuidv1()))).value).toBeNull();
    behaviour = reply(200, 'application/json', findBody(VALID.replace('<status>0</status>', '<status>777</status>')));
    const r = await settle(() => client().findResponse(uuidv1()));
    expect(r.value).toMatchObject({ kind: 'elk', response: { orders: [{ status: 777 }] } });
  });
});
