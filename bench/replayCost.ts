// CPU of replaying a whole case in a fresh sandbox, as a worker does after evicting it from its cache, without
// a server: the committed histories (tests/fixtures/histories) replayed `--reps` times each, the stack-capture
// modes alternated `--rounds` times so both see the same machine load. Prints one line per replay batch and the
// medians. Run: node -r ts-node/register/transpile-only bench/replayCost.ts [--reps 5] [--rounds 3]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { AesGcmPayloadCodec, parseCodecKeys } from '../codec';
import { bundleWorkflows, type WorkflowStackTraces } from '../worker';

// The key the fixtures were recorded with (tests/support/harness.ts).
const FIXTURE_KEYS = parseCodecKeys(`test-2026:${Buffer.alloc(32, 7).toString('base64')},test-2025:${Buffer.alloc(32, 3).toString('base64')}`, 'test-2026');
const FIXTURES = path.resolve(__dirname, '../tests/fixtures/histories');

async function main(): Promise<void> {
  const arg = (name: string, dflt: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const reps = arg('reps', 5);
  const rounds = arg('rounds', 3);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const histories = fs
    .readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.binpb'))
    .map((f) => ({ workflowId: f.replace(/\.binpb$/, ''), history: temporal.api.history.v1.History.decode(fs.readFileSync(path.join(FIXTURES, f))) }));
  const meanEvents = histories.reduce((a, h) => a + (h.history.events?.length ?? 0), 0) / histories.length;
  const modes: WorkflowStackTraces[] = ['on', 'off'];
  const bundles = Object.fromEntries(await Promise.all(modes.map(async (m) => [m, await bundleWorkflows({ stackTraces: m })] as const)));
  const results: Record<string, number[]> = { on: [], off: [] };
  for (let round = 0; round < rounds; round++) {
    for (const mode of modes) {
      const options = { workflowBundle: { code: bundles[mode]! }, dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(FIXTURE_KEYS)] } };
      // The first replay loads the bundle into a new sandbox: left out.
      await Worker.runReplayHistory(options, histories[0]!.history, histories[0]!.workflowId);
      const all = Array.from({ length: reps }, () => histories).flat();
      const c0 = process.cpuUsage();
      const t0 = Date.now();
      for await (const r of Worker.runReplayHistories(options, all)) if (r.error) throw r.error;
      const c = process.cpuUsage(c0);
      const cpuMs = (c.user + c.system) / 1000 / all.length;
      results[mode]!.push(cpuMs);
      process.stdout.write(`round ${round + 1} stack traces ${mode}: ${cpuMs.toFixed(1)} ms CPU, ${((Date.now() - t0) / all.length).toFixed(1)} ms wall per replay (${all.length} replays, mean ${meanEvents.toFixed(0)} events)\n`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  process.stdout.write(`median CPU per replay: stack traces on ${median(results.on!).toFixed(1)} ms, off ${median(results.off!).toFixed(1)} ms\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
