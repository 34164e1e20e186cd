// Personal data never reaches the Temporal server in clear: full lifecycles (a refusal with its letter, a
// positive result for an organisation) are read back from the server WITHOUT the codec, the way an insider
// with server or UI access would see them, and no personal value appears in any form. The same history
// decoded WITH the codec does contain them, so a codec that silently stopped encrypting would fail here.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Payload } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../../codec/payloadCodec';
import { startCodecServer } from '../../security/codecServer';
import { createTestContext, sampleApplication, TEST_CODEC_KEYS, TestContext } from '../support/harness';
import { collectPayloads, plainClient, rawHistory, rawText } from './support/history';
import { expectNoPii, ORGANISATION, PERSON } from './support/person';

let ctx: TestContext;
let plain: Awaited<ReturnType<typeof plainClient>>;
const codec = new AesGcmPayloadCodec(TEST_CODEC_KEYS);
const epgu = { orderId: String(6_000_000_000 + (Date.now() % 1_000_000)), requestClientId: `epgu-pii-${process.pid}-${Date.now()}` };
const personApp = sampleApplication({ serviceCode: 'construction-permit', applicant: PERSON, channel: 'epgu', epgu });
const orgApp = sampleApplication({ serviceCode: 'archive-certificate', applicant: ORGANISATION });

beforeAll(async () => {
  ctx = await createTestContext('history-pii');
  // Filed on ЕПГУ: statuses answer this request.
  ctx.emulator.registerEpguRequest(epgu);
  await ctx.startWorker();
  plain = await plainClient(ctx.stack.temporalAddress);

  // The person: asked for documents, answers, and is refused with a letter that names them.
  const no = personApp.applicationNumber;
  await ctx.cases.startApplication(personApp);
  await ctx.cases.act(no, 'register', { clerk: 'ivanova' });
  await ctx.cases.act(no, 'startReview', { clerk: 'ivanova' });
  await ctx.cases.act(no, 'requestFromApplicant', { clerk: 'ivanova', kind: 'documents', note: 'Нужны результаты изысканий' });
  await ctx.cases.applicantResponded(no, { documents: ['Отчёт об изысканиях'] });
  await ctx.cases.act(no, 'draftDecision', {
    clerk: 'ivanova',
    outcome: 'refuse',
    grounds: [{ code: 'missing-documents', facts: { missingDocuments: ['результаты инженерных изысканий'] } }],
  });
  await ctx.cases.act(no, 'refuse', { clerk: 'head-smirnov' });
  expect(await ctx.cases.result(no)).toMatchObject({ outcome: 'refused' });

  // The organisation: a positive result.
  const org = orgApp.applicationNumber;
  await ctx.cases.startApplication(orgApp);
  for (const [action, args] of [
    ['register', { clerk: 'ivanova' }],
    ['startReview', { clerk: 'ivanova' }],
    ['draftDecision', { clerk: 'ivanova', outcome: 'approve' }],
    ['approve', { clerk: 'head-smirnov' }],
    ['issueResult', { clerk: 'ivanova' }],
  ] as const) {
    await ctx.cases.act(org, action, args as never);
  }
  expect(await ctx.cases.result(org)).toMatchObject({ outcome: 'resultIssued' });
});
afterAll(async () => {
  await plain?.close();
  await ctx?.close();
});

async function decodedText(payloads: Payload[]): Promise<string> {
  const decoded = await codec.decode(payloads);
  return decoded.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')).join('\n');
}

describe.each([
  ['the person refused with a letter', () => personApp.applicationNumber],
  ['the organisation', () => orgApp.applicationNumber],
])('raw history of %s', (_label, id) => {
  it('holds no personal value anywhere, and every payload is encrypted', async () => {
    const history = await rawHistory(plain.client, id());
    const payloads = collectPayloads(history.events);
    expect(history.events!.length).toBeGreaterThan(20);
    expect(payloads.length).toBeGreaterThan(10);
    expectNoPii(rawText(history, payloads), 'raw history');
    expect(rawText(history, payloads)).not.toContain('Васильковый');
    // Search attributes are the only plain payloads (the server must index them); all others are encrypted.
    const searchAttributePayloads = new Set(collectPayloads(history.events!.map((e) => e.upsertWorkflowSearchAttributesEventAttributes ?? e.workflowExecutionStartedEventAttributes?.searchAttributes)));
    // The SDK's own markers (local-activity bookkeeping, patch ids) are plain JSON written by the SDK core, never
    // user data: only the known bookkeeping keys may appear there. A local activity's result is encrypted.
    const sdkMarkerPayloads = new Set(
      history.events!.flatMap((e) => {
        const m = e.markerRecordedEventAttributes;
        if (!m?.markerName?.startsWith('core_')) return [];
        return Object.entries(m.details ?? {}).filter(([key]) => key !== 'result').flatMap(([, v]) => v.payloads ?? []);
      }),
    );
    const bookkeeping = new Set(['seq', 'attempt', 'activity_id', 'activity_type', 'complete_time', 'backoff', 'original_schedule_time', 'id', 'deprecated']);
    for (const p of payloads) {
      if (searchAttributePayloads.has(p)) continue;
      if (sdkMarkerPayloads.has(p)) {
        const value = JSON.parse(Buffer.from(p.data ?? new Uint8Array()).toString('utf8')) as unknown;
        if (value !== null && typeof value === 'object') for (const key of Object.keys(value)) expect(bookkeeping).toContain(key);
        else expect(typeof value === 'string' || typeof value === 'boolean').toBe(true);
        continue;
      }
      expect(Buffer.from(p.metadata!.encoding!).toString()).toBe('binary/encrypted');
    }
    expect(sdkMarkerPayloads.size).toBeGreaterThan(0);
  });
});

it('the same histories decoded with the codec contain every personal value (the check above can fail)', async () => {
  const person = await decodedText(collectPayloads((await rawHistory(plain.client, personApp.applicationNumber)).events));
  for (const value of [PERSON.lastName, PERSON.firstName, PERSON.middleName, PERSON.snils, PERSON.postalAddress, PERSON.phone, PERSON.passport.number]) {
    expect(person).toContain(value);
  }
  // The refusal letter, in the dative case, went through history too.
  expect(person).toMatch(/Загорулько Евлампию Феоктистовичу/);
  const org = await decodedText(collectPayloads((await rawHistory(plain.client, orgApp.applicationNumber)).events));
  expect(org).toContain(ORGANISATION.title);
});

it('search attributes and memo carry no personal data', async () => {
  for (const id of [personApp.applicationNumber, orgApp.applicationNumber]) {
    const raw = await plain.client.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId: id } });
    const info = raw.workflowExecutionInfo!;
    const payloads = collectPayloads([info.searchAttributes, info.memo]);
    const text = rawText(raw, payloads);
    expectNoPii(text, 'describe');
    expect(text).not.toContain('Васильковый');
    expect(Object.keys(info.memo?.fields ?? {})).toEqual([]);
    expect(Object.keys(info.searchAttributes?.indexedFields ?? {}).sort()).toEqual(
      expect.arrayContaining(['ServiceCode']),
    );
    // New cases keep their stage in the applications projection, not in visibility (compact history).
    expect(Object.keys(info.searchAttributes?.indexedFields ?? {})).not.toContain('CaseStage');
    // Visibility listing is what the UI's workflow table shows.
    for await (const wf of plain.client.workflow.list({ query: `WorkflowId = "${id}"` })) {
      expectNoPii(JSON.stringify({ sa: wf.searchAttributes, memo: wf.memo, type: wf.type }), 'visibility');
    }
  }
});

/** The CLI's JSON prints payload bytes as base64: show them as text, as the UI would. */
function payloadTexts(cliJson: string): string {
  return [...cliJson.matchAll(/"data":\s*"([A-Za-z0-9+/=]*)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8')).join('\n');
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Asynchronous on purpose: the codec server and the worker live in this process.
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

it('`temporal workflow show --codec-endpoint` reads the applicant through the codec server, and nothing without it', async () => {
  const token = 'history-test-token-0123456789';
  const server = await startCodecServer({ codec, port: 0, token });
  const cli = path.resolve(__dirname, '../../.tools/bin/temporal');
  const base = ['workflow', 'show', '--address', ctx.stack.temporalAddress, '-w', personApp.applicationNumber, '--output', 'json'];
  try {
    const decoded = await run(cli, [...base, '--codec-endpoint', server.url, '--codec-auth', `Bearer ${token}`]);
    expect(decoded.stderr).toBe('');
    expect(decoded.code).toBe(0);
    expect(payloadTexts(decoded.stdout)).toContain(PERSON.lastName);
    expect(payloadTexts(decoded.stdout)).toContain(PERSON.snils);
    const denied = await run(cli, [...base, '--codec-endpoint', server.url, '--codec-auth', 'Bearer wrong-token-0123456789']);
    expect(payloadTexts(denied.stdout)).not.toContain(PERSON.lastName);
    const bare = await run(cli, base);
    expect(bare.code).toBe(0);
    expectNoPii(bare.stdout + payloadTexts(bare.stdout), 'CLI output without codec');
  } finally {
    await server.stop();
  }
});
