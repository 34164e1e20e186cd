// The production renderer makes refusal PDFs in a worker thread; letters must be exactly the main-thread
// renderer's (same bytes, same hashes, same court deadline from the production calendar).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { ProductionCalendar } from '../../calendar/productionCalendar';
import {
  createRefusalRenderer,
  createThreadedRefusalRenderer,
  formatDateRu,
  RefusalValidationError,
  type RefusalLetter,
  type RefusalLetterInput,
  type RefusalRenderer,
  type ThreadedRefusalRenderer,
} from '../../refusal';
import { archiveLetter, realisticFacts, threeGroundsLetter, withGrounds } from './fixtures';

// A regional day off on the court deadline of threeGroundsLetter (2026-03-05 + 3 months, a Friday): the letter
// must state Monday 2026-06-08, which only the main thread's calendar knows.
const calendar = new ProductionCalendar({ regionalHolidays: [{ date: '2026-06-05', name: 'День города' }] });
const base = createRefusalRenderer({ adjustCourtDeadline: (d) => calendar.workingDayOnOrAfter(d as never) });

const opened: ThreadedRefusalRenderer[] = [];
function threaded(of: RefusalRenderer = base): { renderer: ThreadedRefusalRenderer; threads: Worker[] } {
  const threads: Worker[] = [];
  const renderer = createThreadedRefusalRenderer(of, { onThreadStart: (t) => threads.push(t) });
  opened.push(renderer);
  return { renderer, threads };
}
afterAll(() => Promise.all(opened.map((r) => r.close())));

function pdfToText(pdf: Buffer): string {
  const r = spawnSync('/usr/bin/pdftotext', ['-raw', '-enc', 'UTF-8', '-', '-'], { input: pdf });
  if (r.status !== 0) throw new Error(`pdftotext failed: ${r.stderr.toString()}`);
  return r.stdout.toString('utf8');
}

function expectSameLetter(actual: RefusalLetter, expected: RefusalLetter): void {
  expect(Buffer.isBuffer(actual.pdf)).toBe(true);
  expect(Buffer.compare(actual.pdf, expected.pdf)).toBe(0);
  expect(actual).toEqual(expected);
}

describe('threaded refusal renderer', () => {
  it('renders the same bytes, text and hashes as the main-thread renderer', async () => {
    const { renderer, threads } = threaded();
    for (const input of [threeGroundsLetter, archiveLetter]) {
      const expected = await base.render(input);
      const actual = await renderer.render(input);
      expectSameLetter(actual, expected);
      expect(pdfToText(actual.pdf)).toBe(pdfToText(expected.pdf));
    }
    expect(threads).toHaveLength(1);
    const letter = await renderer.render(threeGroundsLetter);
    expect(letter.text).toContain(formatDateRu('2026-06-08'));
    expect(pdfToText(letter.pdf).replace(/\s+/g, ' ')).toContain(formatDateRu('2026-06-08'));
  });

  it('rejects an invalid refusal with the same RefusalValidationError, without involving the thread', async () => {
    const { renderer, threads } = threaded();
    const bad = withGrounds(threeGroundsLetter, [{ code: 'no-such-ground', facts: {} }]);
    const expected = await base.render(bad).catch((e: unknown) => e);
    expect(expected).toBeInstanceOf(RefusalValidationError);
    const actual = await renderer.render(bad).catch((e: unknown) => e);
    expect(actual).toBeInstanceOf(RefusalValidationError);
    expect(actual).toMatchObject({ name: (expected as Error).name, message: (expected as Error).message, issues: (expected as RefusalValidationError).issues });
    expect(() => renderer.validate(bad)).toThrow(RefusalValidationError);
    expect(threads).toHaveLength(0);
  });

  it('matches concurrent renders to their inputs', async () => {
    const { renderer, threads } = threaded();
    const inputs: RefusalLetterInput[] = [
      threeGroundsLetter,
      archiveLetter,
      ...Object.entries(realisticFacts['construction-permit'])
        .slice(0, 3)
        .map(([code, facts], i) => ({ ...withGrounds(threeGroundsLetter, [{ code, facts }]), applicationNumber: `2026-00090${i}` })),
    ];
    const expected: RefusalLetter[] = [];
    for (const input of inputs) expected.push(await base.render(input));
    expect(new Set(expected.map((l) => l.contentHash)).size).toBe(inputs.length);
    const actual = await Promise.all(inputs.map((input) => renderer.render(input)));
    actual.forEach((letter, i) => expectSameLetter(letter, expected[i]));
    expect(threads).toHaveLength(1);
  });

  it('rejects with the thread error name and message, and the thread keeps serving', async () => {
    // A base whose document is valid while the raw decision date is not: renderPdf throws in the thread.
    const { renderer, threads } = threaded({ ...base, renderDocument: () => base.renderDocument(threeGroundsLetter) });
    await expect(renderer.render({ decisionDate: '2026-02-30' })).rejects.toMatchObject({ name: 'TypeError', message: 'renderPdf: bad date 2026-02-30' });
    expectSameLetter(await renderer.render(threeGroundsLetter), await base.render(threeGroundsLetter));
    expect(threads).toHaveLength(1);
  });

  it('starts a fresh thread after the thread was terminated externally', async () => {
    const { renderer, threads } = threaded();
    const expected = await base.render(archiveLetter);
    expectSameLetter(await renderer.render(archiveLetter), expected);
    await threads[0].terminate();
    expectSameLetter(await renderer.render(archiveLetter), expected);
    expect(threads).toHaveLength(2);
  });

  it('rejects a render in flight when its thread dies; the next render works', async () => {
    const threads: Worker[] = [];
    const renderer = createThreadedRefusalRenderer(base, {
      onThreadStart: (t) => {
        threads.push(t);
        if (threads.length === 1) void t.terminate();
      },
    });
    opened.push(renderer);
    await expect(renderer.render(threeGroundsLetter)).rejects.toThrow(/refusal PDF thread exited/);
    expectSameLetter(await renderer.render(threeGroundsLetter), await base.render(threeGroundsLetter));
    expect(threads).toHaveLength(2);
  });

  it('close() terminates the thread; later renders reject', async () => {
    const { renderer, threads } = threaded();
    await renderer.render(archiveLetter);
    const exited = new Promise<number>((resolve) => threads[0].once('exit', resolve));
    await renderer.close();
    await exited;
    await expect(renderer.render(archiveLetter)).rejects.toThrow('refusal renderer is closed');
    expect(threads).toHaveLength(1);
  });

  it('works under plain ts-node (the worker process) and does not keep the process alive once idle', () => {
    const script = `
      const { createRefusalRenderer, createThreadedRefusalRenderer } = require('./refusal');
      const { archiveLetter } = require('./tests/refusal/fixtures');
      createThreadedRefusalRenderer(createRefusalRenderer()).render(archiveLetter).then((l) => process.stdout.write(l.contentHash));
    `;
    // The timeout only stops a hung child (a thread that keeps the process alive); it asserts nothing about speed.
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
      cwd: path.resolve(__dirname, '../..'),
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    return createRefusalRenderer()
      .render(archiveLetter)
      .then((l) => expect(run.stdout).toBe(l.contentHash));
  });
});
