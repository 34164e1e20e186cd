// Key rotation on a live case: a workflow started under key A is finished by a worker restarted with keys
// B (active) and A (still loaded). Everything written after the restart carries key id B, everything before
// keeps A, and without A the old payloads cannot be read.
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import { CaseClient } from '../../client/caseClient';
import { AesGcmPayloadCodec, CodecKeys, parseCodecKeys } from '../../codec/payloadCodec';
import { CaseLifecyclePlugin } from '../../worker/plugin';
import { createTestContext, sampleApplication, TestContext, waitFor } from '../support/harness';
import { collectPayloads, keyIdOf, plainClient, rawHistory } from './support/history';

const KEY_A = `rot-a:${randomBytes(32).toString('base64')}`;
const KEY_B = `rot-b:${randomBytes(32).toString('base64')}`;
const ONLY_A = parseCodecKeys(KEY_A);
const B_THEN_A = parseCodecKeys(`${KEY_B},${KEY_A}`, 'rot-b');

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext('key-rotation');
});
afterAll(async () => {
  await ctx?.close();
});

function casesWith(keys: CodecKeys): CaseClient {
  const client = new Client({ connection: ctx.client.connection, plugins: [new CaseLifecyclePlugin({ codecKeys: keys })] });
  return new CaseClient({ client, services: ctx.services, taskQueue: ctx.taskQueue });
}

it('finishes a workflow started under key A after a restart with B active, and new payloads carry B', async () => {
  const app = sampleApplication();
  const no = app.applicationNumber;
  const before = casesWith(ONLY_A);
  const first = await ctx.startWorker({ codecKeys: ONLY_A });
  await before.startApplication(app);
  await before.act(no, 'register', { clerk: 'ivanova' });
  await before.act(no, 'startReview', { clerk: 'ivanova' });
  // Nothing in flight when the worker stops: the first status has reached the portal.
  await waitFor(() => ctx.emulator.order(no)?.history.length === 1);
  await waitFor(async () => (await before.state(no)).elk.items.every((i) => i.state !== 'pending'));
  await first.shutdown();
  await first.running;

  const plain = await plainClient(ctx.stack.temporalAddress);
  try {
    const restartAt = (await rawHistory(plain.client, no)).events!.length;
    const after = casesWith(B_THEN_A);
    await ctx.startWorker({ codecKeys: B_THEN_A });
    await after.act(no, 'requestInteragency', { clerk: 'ivanova', agencies: ['ФНС'] });
    await after.act(no, 'recordInteragencyAnswer', { clerk: 'ivanova', agency: 'ФНС' });
    await after.act(no, 'draftDecision', { clerk: 'ivanova', outcome: 'approve' });
    await after.act(no, 'approve', { clerk: 'head' });
    await after.act(no, 'issueResult', { clerk: 'ivanova' });
    expect(await after.result(no)).toMatchObject({ outcome: 'resultIssued', elkStatusesDelivered: 3 });
    expect(ctx.emulator.order(no)!.history.map((h) => h.status)).toEqual([6, 7, 3]);

    const events = (await rawHistory(plain.client, no)).events!;
    const encrypted = (from: number, to: number) =>
      collectPayloads(events.slice(from, to)).filter((p) => Buffer.from(p.metadata?.encoding ?? []).toString() === 'binary/encrypted');
    const old = encrypted(0, restartAt);
    const fresh = encrypted(restartAt, events.length);
    expect(old.length).toBeGreaterThan(3);
    expect(fresh.length).toBeGreaterThan(10);
    expect(new Set(old.map(keyIdOf))).toEqual(new Set(['rot-a']));
    expect(new Set(fresh.map(keyIdOf))).toEqual(new Set(['rot-b']));

    // Once A is removed, the workflow's input (written under A) is unreadable, with a message naming the key.
    const withoutA = new AesGcmPayloadCodec(parseCodecKeys(KEY_B));
    await expect(withoutA.decode(old.slice(0, 1))).rejects.toThrow(/"rot-a".*not loaded.*CASE_PAYLOAD_KEYS/);
    await expect(withoutA.decode(fresh.slice(0, 1))).resolves.toHaveLength(1);
  } finally {
    await plain.close();
  }
});
