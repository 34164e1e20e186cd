import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { v1 as uuidv1 } from 'uuid';
import {
  AdapterReply,
  buildElkCreateOrdersRequest,
  buildElkUpdateOrdersRequest,
  ElkEmulator,
  SmevAdapterClient,
  SmevRejectedError,
  SmevTransportError,
  startElkEmulator,
} from '../../epgu';
import { CTX, createInput, SERVICE_TARGET, updateInput } from './fixtures';

const IT_SYSTEM = 'DEPT_CASES_01';
const ORDER = 'ОБР-2026/000123';

let emu: ElkEmulator;
let client: SmevAdapterClient;

beforeAll(async () => {
  emu = await startElkEmulator({ host: '127.0.0.1', validServiceTargetCodes: [SERVICE_TARGET, '10000000999'] });
  client = new SmevAdapterClient({ baseUrl: emu.url, itSystem: IT_SYSTEM, requestTimeoutMs: 10_000 });
});
afterAll(async () => {
  await emu.stop();
});
beforeEach(() => emu.reset());

/** Sends with a fresh clientId and returns the reply (which the emulator has ready when send returns). */
async function deliver(content: string): Promise<{ clientId: string; messageId: string; reply: AdapterReply | null }> {
  const clientId = uuidv1();
  const { messageId, alreadySent } = await client.send({ clientId, content });
  expect(alreadySent).toBe(false);
  return { clientId, messageId, reply: await client.findResponse(clientId) };
}

function elk(reply: AdapterReply | null) {
  if (!reply || reply.kind !== 'elk') throw new Error(`expected an ЕЛК reply, got ${JSON.stringify(reply)}`);
  return reply.response;
}

const create = (overrides: Parameters<typeof createInput>[0] = {}) => buildElkCreateOrdersRequest(createInput(overrides), CTX);
const update = (status: number, date: string, overrides: Parameters<typeof updateInput>[2] = {}) =>
  buildElkUpdateOrdersRequest(updateInput(status, date, overrides), CTX);

async function adminPost(path: string, body: unknown): Promise<unknown> {
  const res = await fetch(emu.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json();
}

describe('SmevAdapterClient against the emulator', () => {
  it('Create then 3 Updates: replies are OK and the history holds them in order', async () => {
    const created = await deliver(create());
    const createResp = elk(created.reply);
    expect(createResp).toMatchObject({ kind: 'create', code: 0, message: 'OK' });
    expect(createResp.orders).toHaveLength(1);
    expect(createResp.orders[0]).toMatchObject({ orderNumber: ORDER, status: 0, message: 'OK' });
    const elkOrderNumber = createResp.orders[0]!.elkOrderNumber;
    expect(elkOrderNumber).toMatch(/^\d+$/);
    expect(created.reply).toMatchObject({ kind: 'elk', messageId: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const updates: [number, string][] = [
      [2, '2026-03-06T06:00:00.000Z'],
      [7, '2026-03-10T11:30:00.000Z'],
      [3, '2026-03-12T09:00:00.250Z'],
    ];
    for (const [status, date] of updates) {
      const u = elk((await deliver(update(status, date))).reply);
      expect(u).toEqual({ kind: 'update', code: 0, message: 'OK', orders: [{ orderNumber: ORDER, elkOrderNumber, status: 0, message: 'OK' }] });
    }

    const order = emu.order(ORDER)!;
    expect(order.elkOrderNumber).toBe(elkOrderNumber);
    expect(order.history.map((h) => h.status)).toEqual([6, 2, 7, 3]);
    expect(order.history.map((h) => h.statusDate)).toEqual([
      '2026-03-05T10:15:00.123+03:00',
      '2026-03-06T09:00:00.000+03:00',
      '2026-03-10T14:30:00.000+03:00',
      '2026-03-12T12:00:00.250+03:00',
    ]);
    const seqs = order.history.map((h) => h.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(4);
    expect(order.history.every((h) => !Number.isNaN(Date.parse(h.receivedAt)))).toBe(true);
  });

  it('resending with the same clientId reports alreadySent and never applies twice', async () => {
    const clientId = uuidv1();
    const content = create();
    const first = await client.send({ clientId, content });
    const second = await client.send({ clientId, content });
    expect(first.alreadySent).toBe(false);
    expect(second).toEqual({ messageId: first.messageId, alreadySent: true });
    expect(emu.messages()).toHaveLength(1);
    expect(emu.order(ORDER)!.history).toHaveLength(1);
    expect(elk(await client.findResponse(clientId)).code).toBe(0);
  });

  it('concurrent sends with the same clientId apply exactly once', async () => {
    const clientId = uuidv1();
    const content = create();
    const results = await Promise.all([client.send({ clientId, content }), client.send({ clientId, content })]);
    expect(results.map((r) => r.alreadySent).sort()).toEqual([false, true]);
    expect(results[0]!.messageId).toBe(results[1]!.messageId);
    expect(emu.order(ORDER)!.history).toHaveLength(1);
  });

  it('dropped connection after accept, then a retry with the same clientId: exactly one entry', async () => {
    await deliver(create());
    emu.faults.set({ dropConnectionAfterAccept: 1 });
    const clientId = uuidv1();
    const content = update(2, '2026-03-06T06:00:00Z');
    await expect(client.send({ clientId, content })).rejects.toBeInstanceOf(SmevTransportError);
    const retry = await client.send({ clientId, content });
    expect(retry.alreadySent).toBe(true);
    expect(retry.messageId).toBe(emu.messages().find((m) => m.clientId === clientId)!.messageId);
    expect(emu.order(ORDER)!.history.map((h) => h.status)).toEqual([6, 2]);
    expect(elk(await client.findResponse(clientId)).code).toBe(0);
  });

  it('HTTP 503 SystemFault is a retryable SmevTransportError and nothing is applied', async () => {
    emu.faults.set({ failNextSends: 1 });
    const clientId = uuidv1();
    const content = create();
    const err = await client.send({ clientId, content }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmevTransportError);
    expect(err).toMatchObject({ httpStatus: 503, faultType: 'SystemFault', retryable: true });
    expect(emu.orders()).toHaveLength(0);
    expect(await client.findResponse(clientId)).toBeNull();
    // The same clientId goes through once the adapter recovers.
    expect((await client.send({ clientId, content })).alreadySent).toBe(false);
    expect(emu.order(ORDER)!.history).toHaveLength(1);
  });

  it('outage (503 or connection reset) fails every call until cleared over HTTP', async () => {
    await adminPost('/__emulator/faults', { outage: true });
    await expect(client.send({ clientId: uuidv1(), content: create() })).rejects.toMatchObject({ name: 'SmevTransportError', httpStatus: 503 });
    await expect(client.findResponse(uuidv1())).rejects.toBeInstanceOf(SmevTransportError);
    await adminPost('/__emulator/faults', { outageMode: 'reset' });
    await expect(client.send({ clientId: uuidv1(), content: create() })).rejects.toBeInstanceOf(SmevTransportError);
    const state = (await adminPost('/__emulator/faults', { outage: false, outageMode: '503' })) as { outage: boolean };
    expect(state.outage).toBe(false);
    expect(elk((await deliver(create())).reply).code).toBe(0);
  });

  it('XSD-invalid content is accepted, then rejected with InvalidContent and the validation errors', async () => {
    const bareDate = create().replace('<statusDate>2026-03-05T10:15:00.123+03:00</statusDate>', '<statusDate>2026-03-05</statusDate>');
    const { reply } = await deliver(bareDate);
    expect(reply).toMatchObject({ kind: 'rejected', code: 'InvalidContent', source: 'SERVER' });
    if (reply?.kind !== 'rejected') throw new Error('unreachable');
    expect(reply.description).toContain('SMEV-403');
    expect(reply.description).toContain("'2026-03-05' is not a valid value of the atomic type 'xs:dateTime'");
    expect(emu.orders()).toHaveLength(0);
    expect(emu.messages()[0]).toMatchObject({ outcome: 'invalidContent' });

    const garbage = await deliver('<<not xml');
    expect(garbage.reply).toMatchObject({ kind: 'rejected', code: 'InvalidContent' });
  });

  it('answers 34 for a Create of an existing orderNumber', async () => {
    await deliver(create());
    const again = elk((await deliver(create())).reply);
    expect(again).toMatchObject({ kind: 'create', code: 11, message: 'Completed with errors' });
    expect(again.orders[0]).toMatchObject({ orderNumber: ORDER, status: 34, message: 'Order already exists' });
    expect(emu.order(ORDER)!.history).toHaveLength(1);
  });

  it('answers 28 for an Update of an unknown order (or one owned by another sender)', async () => {
    const r = elk((await deliver(update(2, '2026-03-06T06:00:00Z', { orderNumber: 'NO-SUCH-ORDER' }))).reply);
    expect(r).toMatchObject({ kind: 'update', code: 11 });
    expect(r.orders[0]).toMatchObject({ orderNumber: 'NO-SUCH-ORDER', status: 28, message: 'Order not found' });
    await deliver(create());
    const other = elk((await deliver(update(2, '2026-03-06T06:00:00Z', { senderInn: '7707083893' }))).reply);
    expect(other.orders[0]!.status).toBe(28);
  });

  it('answers 31 when statusDate is not later than the last one', async () => {
    await deliver(create());
    const same = elk((await deliver(update(2, '2026-03-05T07:15:00.123Z'))).reply);
    expect(same.orders[0]).toMatchObject({ status: 31, message: 'Incorrect order status specified' });
    const earlier = elk((await deliver(update(2, '2026-03-04T07:15:00Z'))).reply);
    expect(earlier.orders[0]!.status).toBe(31);
    expect(emu.order(ORDER)!.history).toHaveLength(1);
    // Updates by elkOrderNumber work as well.
    const elkNo = emu.order(ORDER)!.elkOrderNumber;
    const ok = elk((await deliver(update(2, '2026-03-05T07:15:00.124Z', { orderNumber: undefined, elkOrderNumber: elkNo }))).reply);
    expect(ok.orders[0]).toMatchObject({ status: 0, elkOrderNumber: elkNo, orderNumber: ORDER });
  });

  it('answers 4 for a status code outside the allowed list', async () => {
    const c = elk((await deliver(create({ statusHistory: [{ status: 9999, statusDate: '2026-03-05T07:15:00Z' }] }))).reply);
    expect(c.orders[0]).toMatchObject({ status: 4, message: 'Status not found' });
    await deliver(create());
    const u = elk((await deliver(update(19, '2026-03-06T06:00:00Z'))).reply);
    expect(u.orders[0]!.status).toBe(4);
  });

  it('answers 13 for an unknown serviceTargetCode and 38 for a very old requestDate', async () => {
    const t = elk((await deliver(create({ serviceTargetCode: '10000000000' }))).reply);
    expect(t.orders[0]).toMatchObject({ status: 13, message: 'Incorrect eServiceCode or serviceTargetCode' });
    const old = elk(
      (await deliver(create({ requestDate: '2015-01-10T09:00:00Z', statusHistory: [{ status: 6, statusDate: '2015-01-10T09:05:00Z' }] }))).reply,
    );
    expect(old.orders[0]).toMatchObject({ status: 38, message: 'Request date too old' });
  });

  it('answers 5 for other incorrect parameters (statusDate far in the future)', async () => {
    await deliver(create());
    const r = elk((await deliver(update(2, '2099-01-01T00:00:00Z'))).reply);
    expect(r.orders[0]).toMatchObject({ status: 5, message: 'Incorrect request parameters' });
  });

  it('serves replies through /get once each, and accepts a /ws base path', async () => {
    const wsClient = new SmevAdapterClient({ baseUrl: `${emu.url}/ws`, itSystem: IT_SYSTEM });
    const clientId = uuidv1();
    await wsClient.send({ clientId, content: create() });
    const get = async () => {
      const res = await fetch(`${emu.url}/get`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ itSystem: IT_SYSTEM, specificQuery: { messageTypeCriteria: 'RESPONSE' } }),
      });
      return ((await res.json()) as { queryResult: { message: { responseMetadata: { replyToClientId: string } } } | null }).queryResult;
    };
    expect((await get())?.message.responseMetadata.replyToClientId).toBe(clientId);
    expect(await get()).toBeNull();
  });

  it('tolerates duplicated replies from /find', async () => {
    const { clientId } = await deliver(create());
    emu.faults.set({ duplicateReplies: true });
    const raw = await fetch(`${emu.url}/find`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        itSystem: IT_SYSTEM,
        specificQuery: { messageClientIdCriteria: { clientId, clientIdCriteria: 'GET_RESPONSE_BY_REQUEST_CLIENTID' } },
      }),
    });
    expect(((await raw.json()) as { queryResult: unknown[] }).queryResult).toHaveLength(2);
    expect(elk(await client.findResponse(clientId)).code).toBe(0);
  });

  it('returns null while there is no reply, and honours a configured reply delay', async () => {
    expect(await client.findResponse(uuidv1())).toBeNull();
    emu.faults.set({ replyDelayMs: 3_600_000 });
    const clientId = uuidv1();
    await client.send({ clientId, content: create() });
    expect(await client.findResponse(clientId)).toBeNull();
    expect(emu.order(ORDER)!.history).toHaveLength(1);
  });

  it('rejectNext: async rejection via /find, or a synchronous ValidationFault (SmevRejectedError)', async () => {
    emu.faults.set({ rejectNext: { code: 'AccessDenied', description: 'Нет прав на отправку' } });
    const { reply } = await deliver(create());
    expect(reply).toMatchObject({ kind: 'rejected', code: 'AccessDenied', description: 'Нет прав на отправку' });
    expect(emu.orders()).toHaveLength(0);

    emu.faults.set({ rejectNext: { code: 'InvalidItSystem', mode: 'sync' } });
    const err = await client.send({ clientId: uuidv1(), content: create() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmevRejectedError);
    expect(err).toMatchObject({ httpStatus: 400, faultType: 'ValidationFault', code: 'InvalidItSystem', retryable: false });
  });

  it('times out slow calls as SmevTransportError', async () => {
    emu.faults.set({ latencyMs: 400 });
    const impatient = new SmevAdapterClient({ baseUrl: emu.url, itSystem: IT_SYSTEM, requestTimeoutMs: 50 });
    await expect(impatient.findResponse(uuidv1())).rejects.toThrow(/timed out after 50 ms/);
  });

  it('rejects an invalid clientId without calling the adapter', async () => {
    await expect(client.send({ clientId: 'not valid!', content: create() })).rejects.toBeInstanceOf(SmevRejectedError);
    await expect(client.send({ clientId: 'x'.repeat(51), content: create() })).rejects.toBeInstanceOf(SmevRejectedError);
    expect(emu.messages()).toHaveLength(0);
  });

  it('exposes orders and control over HTTP', async () => {
    await deliver(create());
    const one = await fetch(`${emu.url}/__emulator/orders/${encodeURIComponent(ORDER)}`);
    expect(one.status).toBe(200);
    expect(((await one.json()) as { history: unknown[] }).history).toHaveLength(1);
    const all = (await (await fetch(`${emu.url}/__emulator/orders`)).json()) as unknown[];
    expect(all).toHaveLength(1);
    expect((await fetch(`${emu.url}/__emulator/orders/none`)).status).toBe(404);
    await adminPost('/__emulator/reset', {});
    expect(emu.orders()).toHaveLength(0);
    const badPatch = await fetch(`${emu.url}/__emulator/faults`, { method: 'POST', body: JSON.stringify({ failNextSends: -1 }) });
    expect(badPatch.status).toBe(400);
  });
});

describe('SmevAdapterClient against misbehaving servers', () => {
  type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;
  let server: http.Server;
  let handler: Handler;
  let url: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => handler(req, body, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const reply = (status: number, body: string) => (_req: http.IncomingMessage, _b: string, res: http.ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  };

  it('treats a malformed 200 body as retryable', async () => {
    const c = new SmevAdapterClient({ baseUrl: url, itSystem: IT_SYSTEM });
    handler = reply(200, '<html>proxy error</html>');
    await expect(c.send({ clientId: uuidv1(), content: '<x/>' })).rejects.toThrow(SmevTransportError);
    handler = reply(200, JSON.stringify({ itSystem: IT_SYSTEM }));
    await expect(c.send({ clientId: uuidv1(), content: '<x/>' })).rejects.toThrow(/unexpected reply body: messageId/);
    handler = reply(200, JSON.stringify({ queryResult: [{ smevMetadata: {}, message: { messageType: 'Weird' } }] }));
    await expect(c.findResponse(uuidv1())).rejects.toThrow(SmevTransportError);
    handler = reply(
      200,
      JSON.stringify({
        queryResult: [
          {
            smevMetadata: { messageId: 'x' },
            message: { messageType: 'ResponseMessageType', responseMetadata: {}, responseContent: { content: { messagePrimaryContent: { any: '<broken' } } } },
          },
        ],
      }),
    );
    await expect(c.findResponse(uuidv1())).rejects.toThrow(/not a valid ElkOrderResponse/);
  });

  it('classifies 4xx as SmevRejectedError and 5xx / SyncFault as SmevTransportError', async () => {
    const c = new SmevAdapterClient({ baseUrl: url, itSystem: IT_SYSTEM });
    handler = reply(400, JSON.stringify({ fault: { type: 'ValidationFault', code: 'BAD', description: 'no itSystem' } }));
    await expect(c.send({ clientId: uuidv1(), content: '<x/>' })).rejects.toMatchObject({ name: 'SmevRejectedError', code: 'BAD' });
    handler = reply(404, 'not found');
    await expect(c.findResponse(uuidv1())).rejects.toBeInstanceOf(SmevRejectedError);
    handler = reply(500, 'boom');
    await expect(c.send({ clientId: uuidv1(), content: '<x/>' })).rejects.toMatchObject({ name: 'SmevTransportError', httpStatus: 500 });
    handler = reply(400, JSON.stringify({ fault: { type: 'SyncFault', description: 'no sync answer' } }));
    await expect(c.send({ clientId: uuidv1(), content: '<x/>' })).rejects.toBeInstanceOf(SmevTransportError);
  });

  it('already-sent without a messageId: looks the original request up via GET_REQUEST_BY_REQUEST_CLIENTID', async () => {
    const c = new SmevAdapterClient({ baseUrl: url, itSystem: IT_SYSTEM });
    const original = uuidv1();
    const seen: unknown[] = [];
    handler = (req, body, res) => {
      seen.push(JSON.parse(body));
      if (req.url === '/send') {
        res.writeHead(409, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ fault: { type: 'ValidationFault', code: 'MESSAGE_IS_ALREADY_SENT' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          queryResult: [
            {
              smevMetadata: { messageId: original },
              message: {
                messageType: 'RequestMessageType',
                requestMetadata: { clientId: 'c1' },
                requestContent: { content: { messagePrimaryContent: { any: '<x/>' } } },
              },
            },
          ],
        }),
      );
    };
    const clientId = uuidv1();
    expect(await c.send({ clientId, content: '<x/>' })).toEqual({ messageId: original, alreadySent: true });
    expect(seen[1]).toEqual({
      itSystem: IT_SYSTEM,
      specificQuery: { messageClientIdCriteria: { clientId, clientIdCriteria: 'GET_REQUEST_BY_REQUEST_CLIENTID' } },
    });
  });

  it('connection refused is a SmevTransportError', async () => {
    const tmp = http.createServer();
    await new Promise<void>((resolve) => tmp.listen(0, '127.0.0.1', resolve));
    const port = (tmp.address() as AddressInfo).port;
    await new Promise<void>((resolve) => tmp.close(() => resolve()));
    const c = new SmevAdapterClient({ baseUrl: `http://127.0.0.1:${port}`, itSystem: IT_SYSTEM });
    await expect(c.send({ clientId: uuidv1(), content: '<x/>' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
