// The emulator is as strict as the real adapter and portal about files: a status must not reference a file that
// was never uploaded, files must exist in the exchange folder, be within the size limit and match their declared
// hash; an update for an unknown order is refused; control routes need a token beyond loopback; an oversized
// body gets 413 and the hosting process keeps serving.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { v1 as uuidv1, v4 as uuidv4 } from 'uuid';
import { buildElkCreateOrdersRequest, buildElkUpdateOrdersRequest, SmevAdapterClient, SmevRejectedError, startElkEmulator } from '../../epgu';
import { defaultEpguStatusReply } from '../../epgu/epguStatusReply';
import { placeInExchangeFolder } from '../../epgu/exchangeFolder';
import type { ElkEmulator } from '../../epgu/emulator/elkEmulator';
import { CTX, createInput, updateInput } from './fixtures';

const PDF = Buffer.from('%PDF-1.4\n% test file\n%%EOF\n', 'latin1');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let emu: ElkEmulator;
let client: SmevAdapterClient;
beforeAll(async () => {
  emu = await startElkEmulator({ host: '127.0.0.1', maxAttachmentBytes: 64 * 1024 });
  client = new SmevAdapterClient({ baseUrl: emu.url, itSystem: 'TEST_VIS' });
});
afterAll(async () => {
  await emu?.stop();
});

async function placed(bytes: Buffer, name = 'letter.pdf') {
  const uuid = uuidv4();
  const filePath = await placeInExchangeFolder(emu.exchangeDir, uuid, name, bytes);
  return { filePath, uuid, hash: sha(bytes), mimeType: 'application/pdf' as const };
}

async function rejection(p: Promise<unknown>): Promise<SmevRejectedError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SmevRejectedError);
  return err as SmevRejectedError;
}

function statusWithFile(orderNumber: string, fsUuid: string): string {
  return buildElkCreateOrdersRequest(
    createInput({ orderNumber, statusHistory: [{ status: 4, statusDate: new Date().toISOString(), attachments: [{ fsUuid, docTypeId: 'ELK_RESULT' }] }] }),
    CTX,
  );
}

it('stores an uploaded file under its uuid and shows it with its status; GET /__emulator/files returns the bytes', async () => {
  const header = await placed(PDF);
  const clientId = uuidv1();
  await client.send({ clientId, content: statusWithFile('STRICT-1', header.uuid), attachments: [header] });
  const reply = await client.findResponse(clientId);
  expect(reply).toMatchObject({ kind: 'elk', response: { code: 0 } });
  expect(emu.cabinet('STRICT-1')!.statuses[0].files).toEqual([expect.objectContaining({ fsUuid: header.uuid, sha256: header.hash, docTypeId: 'ELK_RESULT' })]);
  const res = await fetch(`${emu.url}/__emulator/files/${header.uuid}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  expect(Buffer.from(await res.arrayBuffer()).equals(PDF)).toBe(true);
  const cabinet = (await (await fetch(`${emu.url}/__emulator/cabinet/STRICT-1`)).json()) as { statuses: { status: number }[] };
  expect(cabinet.statuses.map((s: { status: number }) => s.status)).toEqual([4]);
});

it('rejects a status whose attachment was never uploaded, and applies nothing', async () => {
  const clientId = uuidv1();
  await client.send({ clientId, content: statusWithFile('STRICT-2', uuidv4()) });
  const reply = await client.findResponse(clientId);
  expect(reply).toMatchObject({ kind: 'rejected', code: 'AttachmentContentMiscoordination', source: 'SERVER' });
  expect(emu.order('STRICT-2')).toBeUndefined();
});

it('rejects a header whose file is not in the exchange folder, over the size limit, or with a missing or wrong hash', async () => {
  const missing = await rejection(
    client.send({ clientId: uuidv1(), content: statusWithFile('STRICT-3', uuidv4()), attachments: [{ filePath: `${uuidv4()}/nothing.pdf`, uuid: uuidv4(), hash: sha(PDF), mimeType: 'application/pdf' }] }),
  );
  expect(missing.code).toBe('AttachmentContentMiscoordination');

  const big = await placed(Buffer.concat([PDF, Buffer.alloc(64 * 1024)]));
  const tooBig = await rejection(client.send({ clientId: uuidv1(), content: statusWithFile('STRICT-3', big.uuid), attachments: [big] }));
  expect(tooBig.code).toBe('AttachmentSizeLimitExceeded');
  expect(tooBig.httpStatus).toBe(400);

  const ok = await placed(PDF);
  const wrong = await rejection(client.send({ clientId: uuidv1(), content: statusWithFile('STRICT-3', ok.uuid), attachments: [{ ...ok, hash: sha(Buffer.from('other')) }] }));
  expect(wrong.code).toBe('InvalidContent');
  expect(wrong.description).toContain('hash');
  const { hash: _omit, ...noHash } = ok;
  const absent = await rejection(client.send({ clientId: uuidv1(), content: statusWithFile('STRICT-3', ok.uuid), attachments: [noHash as typeof ok] }));
  expect(absent.code).toBe('InvalidContent');
  expect(absent.description).toContain('hash');

  const outside = await rejection(client.send({ clientId: uuidv1(), content: statusWithFile('STRICT-3', ok.uuid), attachments: [{ ...ok, filePath: '../../etc/passwd' }] }));
  expect(outside.code).toBe('InvalidContent');
  expect(emu.order('STRICT-3')).toBeUndefined();
  expect(emu.files().map((f) => f.fsUuid)).not.toContain(big.uuid);
});

it('answers an update for an unknown order with 28 «Order not found»', async () => {
  const clientId = uuidv1();
  await client.send({ clientId, content: buildElkUpdateOrdersRequest(updateInput(3, new Date().toISOString(), { orderNumber: 'NO-SUCH-ORDER' }), CTX) });
  const reply = await client.findResponse(clientId);
  expect(reply).toMatchObject({ kind: 'elk', response: { code: 11, orders: [{ status: 28, message: 'Order not found' }] } });
});

it('refuses a response to a request ЕПГУ never sent', async () => {
  const err = await rejection(client.sendResponse({ clientId: uuidv1(), replyToClientId: uuidv1(), content: '<x/>' }));
  expect(err.code).toBe('RequestIsNotFound');
});

it('answers an ЕПГУ request with statuses in order and their files; refuses a dangling file, another order, an older date, an unknown payload', async () => {
  const requestClientId = uuidv1();
  emu.registerEpguRequest({ requestClientId, orderId: '4654000001' });
  const reply = (status: number, statusDate: string, attachments: { fsUuid: string; docTypeId: string }[] = [], orderId = '4654000001') =>
    defaultEpguStatusReply({ epguOrderId: orderId, applicationNumber: 'A-1', serviceCode: 's', elkStatus: status, statusDate, attachments });
  await client.sendResponse({ clientId: uuidv1(), replyToClientId: requestClientId, content: reply(6, '2026-03-05T10:00:00Z') });
  const header = await placed(PDF, 'result.pdf');
  await client.sendResponse({
    clientId: uuidv1(),
    replyToClientId: requestClientId,
    content: reply(3, '2026-03-06T10:00:00Z', [{ fsUuid: header.uuid, docTypeId: 'ELK_RESULT' }]),
    attachments: [header],
  });
  const refused = [
    [reply(4, '2026-03-07T10:00:00Z', [{ fsUuid: uuidv4(), docTypeId: 'ELK_RESULT' }]), 'AttachmentContentMiscoordination'],
    [reply(4, '2026-03-07T10:00:00Z', [], '4654000002'), 'InvalidContent'],
    [reply(4, '2026-03-05T11:00:00Z'), 'InvalidContent'],
    ['<changeOrderInfo xmlns="urn:other"/>', 'InvalidContent'],
  ] as const;
  for (const [content, code] of refused) {
    expect((await rejection(client.sendResponse({ clientId: uuidv1(), replyToClientId: requestClientId, content }))).code).toBe(code);
  }
  const cabinet = emu.cabinet('4654000001')!;
  expect(cabinet.origin).toBe('epgu');
  expect(cabinet.statuses.map((s) => [s.status, s.files.map((f) => f.fsUuid)])).toEqual([[6, []], [3, [header.uuid]]]);
});

it('answers any body over the limit with 413 and keeps serving (a 3 MB POST used to kill the process)', async () => {
  const body = 'x'.repeat(3 * 1024 * 1024);
  for (const route of ['/send', '/__emulator/faults']) {
    const res = await fetch(emu.url + route, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ fault: { type: 'ValidationFault', code: 'RequestTooLarge' } });
  }
  // Chunked (no content-length): the limit applies while streaming.
  const chunked = await fetch(emu.url + '/send', {
    method: 'POST',
    body: new ReadableStream({
      start(c) {
        for (let i = 0; i < 48; i++) c.enqueue(new Uint8Array(64 * 1024));
        c.close();
      },
    }),
    duplex: 'half',
  } as RequestInit);
  expect(chunked.status).toBe(413);
  expect((await fetch(`${emu.url}/__emulator/faults`)).status).toBe(200);
});

it('control routes need the token when one is set, and the emulator refuses a non-loopback bind without one', async () => {
  await expect(startElkEmulator({ host: '0.0.0.0' })).rejects.toThrow(/control token/);
  const guarded = await startElkEmulator({ host: '127.0.0.1', controlToken: 'secret-token-1' });
  try {
    for (const route of ['/__emulator/faults', '/__emulator/files', '/__emulator/cabinet/X', '/__emulator/messages']) {
      expect((await fetch(guarded.url + route)).status).toBe(401);
      expect((await fetch(guarded.url + route, { headers: { authorization: 'Bearer wrong-token-1' } })).status).toBe(401);
    }
    expect((await fetch(`${guarded.url}/__emulator/faults`, { headers: { authorization: 'Bearer secret-token-1' } })).status).toBe(200);
  } finally {
    await guarded.stop();
  }
});

it('places a file once: the same bytes again under the same id leave one file', async () => {
  const uuid = uuidv4();
  const first = await placeInExchangeFolder(emu.exchangeDir, uuid, 'same.pdf', PDF);
  const again = await placeInExchangeFolder(emu.exchangeDir, uuid, 'same.pdf', PDF);
  expect(again).toBe(first);
  expect(fs.readdirSync(path.join(emu.exchangeDir, uuid))).toEqual(['same.pdf']);
});
