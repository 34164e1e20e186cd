// Soak: a bounded run on the production-shaped topology (Temporal server on PostgreSQL, two workers on one task
// queue): steady arrivals of applications, clerks acting on them with short pauses, a fault from the matrix every
// few minutes. Reports every minute and at the end: cases started/finished, ЕЛК statuses expected/delivered/
// duplicated, each worker's RSS and event-loop delay (from a probe preloaded into the workers), and whether RSS or
// delay trends upward. Stops by itself after --minutes (arrivals stop 2 minutes earlier so open cases can finish).
//   npm run soak -- --minutes 30 [--rate 8] [--topology production|dev]
// Exit code 1 if a case is lost or unfinished, a status is missing or doubled, or a worker exited on its own.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppRun, check, cleanup, Deadline, log, PATHS, runLifecycle, sleep, Stack, startStack } from './faultMatrix';
import { ROOT } from './localStack';
import { runWithHardLimit } from './runWithHardLimit';

interface Options {
  minutes: number;
  ratePerMinute: number;
  topology: 'dev' | 'production';
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { minutes: 10, ratePerMinute: 8, topology: 'production' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--minutes' || flag === '--rate') {
      const n = Number(value);
      const [lo, hi] = flag === '--minutes' ? [3, 240] : [1, 120];
      if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`${flag}: an integer from ${lo} to ${hi} (got ${value ?? 'nothing'})`);
      if (flag === '--minutes') opts.minutes = n;
      else opts.ratePerMinute = n;
      i++;
    } else if (flag === '--topology') {
      if (value !== 'dev' && value !== 'production') throw new Error(`--topology: dev or production (got ${value ?? 'nothing'})`);
      opts.topology = value;
      i++;
    } else {
      throw new Error(`unknown argument ${flag} (use --minutes N, --rate N, --topology dev|production)`);
    }
  }
  return opts;
}

const SOAK_DIR = path.join(ROOT, '.data/soak');
const PROBE_DIR = path.join(SOAK_DIR, 'probes');

interface ProbeSample {
  t: number;
  pid: number;
  rssMb: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

function probeSamples(since: number): ProbeSample[] {
  if (!fs.existsSync(PROBE_DIR)) return [];
  return fs
    .readdirSync(PROBE_DIR)
    .flatMap((f) => fs.readFileSync(path.join(PROBE_DIR, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProbeSample))
    .filter((s) => s.t >= since);
}

/** Least-squares slope per minute of (minute, value) points. */
function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  const num = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
  const den = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

type SoakFault = { name: string; run(stack: Stack): Promise<void> };

function faultRotation(topology: Options['topology']): SoakFault[] {
  const rotation: SoakFault[] = [
    {
      name: 'worker SIGKILL (one of two, restarted after 10 s)',
      async run({ workers }) {
        const slot = workers.count > 1 ? 1 : 0;
        await workers.kill(slot, 'SIGKILL');
        await sleep(10_000);
        await workers.start(slot);
      },
    },
    { name: 'Temporal server SIGKILL+restart', run: ({ temporal }) => temporal.restart() },
    { name: 'case PostgreSQL immediate restart', run: ({ pg }) => pg.restart() },
    {
      name: 'ЕЛК adapter outage 30 s',
      async run({ env }) {
        env.emulator.faults.set({ outage: true, outageMode: '503' });
        await sleep(30_000);
        env.emulator.faults.set({ outage: false });
      },
    },
    {
      name: 'ЕЛК adapter +1200 ms per call for 60 s',
      async run({ env }) {
        env.emulator.faults.set({ latencyMs: 1200 });
        await sleep(60_000);
        env.emulator.faults.set({ latencyMs: 0 });
      },
    },
  ];
  if (topology === 'production') rotation.push({ name: "Temporal's PostgreSQL immediate restart", run: ({ temporal }) => temporal.restartPersistence!() });
  return rotation;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  fs.rmSync(PROBE_DIR, { recursive: true, force: true });
  fs.mkdirSync(PROBE_DIR, { recursive: true });
  const reportFile = path.join(SOAK_DIR, 'report.txt');
  fs.writeFileSync(reportFile, '');
  const out = (line: string) => {
    process.stdout.write(`${line}\n`);
    fs.appendFileSync(reportFile, `${line}\n`);
  };
  log(`soak: ${opts.minutes} min, ${opts.ratePerMinute} applications/min, topology ${opts.topology}`);
  const stack = await startStack({
    dir: SOAK_DIR,
    topology: opts.topology,
    workers: 2,
    workerEnv: { CASE_SOAK_PROBE_DIR: PROBE_DIR },
    workerNodeArgs: ['-r', path.join(__dirname, 'soak/workerProbe.js')],
  });
  log(`stack ready in ${Math.round((Date.now() - t0) / 1000)} s`);
  const startedAt = Date.now();
  const endAt = startedAt + opts.minutes * 60_000;
  const arrivalsEndAt = endAt - 2 * 60_000;
  const runs: AppRun[] = [];
  const inFlight = new Set<Promise<void>>();
  const faults = faultRotation(opts.topology);
  const injected: string[] = [];
  let faultsThisMinute: string[] = [];
  let crashesSeen = 0;

  // Arrivals: one application every 60/rate seconds, each a full lifecycle with clerk pauses of 1–4 s.
  const arrivals = (async () => {
    for (let i = 0; Date.now() < arrivalsEndAt; i++) {
      const run: AppRun = { no: `S-${process.pid % 10000}-${i}`, path: PATHS[i % PATHS.length]!, started: false, finished: false };
      runs.push(run);
      const p = runLifecycle(stack.env, run, false, new Deadline(endAt), () => sleep(1000 + Math.random() * 3000))
        .catch((err) => void (run.error = (err as Error).message.slice(0, 300)))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      await sleep(60_000 / opts.ratePerMinute);
    }
  })();

  // Faults: the rotation, one every 4 minutes from minute 2, never in the last 3 minutes.
  const chaos = (async () => {
    for (let k = 0, at = startedAt + 2 * 60_000; at < endAt - 3 * 60_000; k++, at += 4 * 60_000) {
      while (Date.now() < at) await sleep(500);
      const fault = faults[k % faults.length]!;
      log(`fault: ${fault.name}`);
      await fault.run(stack);
      injected.push(fault.name);
      faultsThisMinute.push(fault.name);
    }
  })();

  out('min | started | finished | open | statuses expected / delivered / duplicated | worker RSS MB | event-loop delay p99 / max ms | faults');
  const perMinute: { minute: number; rss: number[]; lagP99: number }[] = [];
  for (let minute = 1; minute <= opts.minutes; minute++) {
    const tick = startedAt + minute * 60_000;
    while (Date.now() < tick) await sleep(500);
    const finished = runs.filter((r) => r.finished).length;
    let expected = 0;
    let delivered = 0;
    let duplicated = 0;
    for (const r of runs.filter((x) => x.finished)) {
      const got = stack.env.emulator.order(r.no)?.history.map((h) => h.status) ?? [];
      expected += r.path.elk.length;
      delivered += r.path.elk.filter((s) => got.includes(s)).length;
      duplicated += got.length - new Set(got).size;
    }
    const samples = probeSamples(tick - 60_000);
    const live = new Set(stack.workers.pids);
    const rss = [...live].map((pid) => Math.max(0, ...samples.filter((s) => s.pid === pid).map((s) => s.rssMb)));
    const lagP99 = Math.max(0, ...samples.map((s) => s.lagP99Ms));
    const lagMax = Math.max(0, ...samples.map((s) => s.lagMaxMs));
    perMinute.push({ minute, rss, lagP99 });
    const crashes = stack.workers.crashes.slice(crashesSeen);
    crashesSeen = stack.workers.crashes.length;
    out(
      `${String(minute).padStart(3)} | ${String(runs.length).padStart(7)} | ${String(finished).padStart(8)} | ${String(inFlight.size).padStart(4)} | ` +
        `${`${expected} / ${delivered} / ${duplicated}`.padEnd(42)} | ${rss.join(' / ').padEnd(13)} | ${`${lagP99} / ${lagMax}`.padEnd(29)} | ` +
        `${[...faultsThisMinute, ...crashes.map((c) => `UNEXPECTED EXIT ${c}`)].join('; ')}`,
    );
    faultsThisMinute = [];
  }
  await arrivals;
  await chaos.catch((e) => out(`chaos failed: ${(e as Error).message}`));
  await Promise.race([Promise.all(inFlight), sleep(30_000)]);

  const checked = await check(stack.env, runs);
  // Trend after warm-up (bundle load, caches filling): slope of the per-minute maximum RSS and delay.
  const steady = perMinute.filter((m) => m.minute > Math.min(3, Math.floor(opts.minutes / 3)));
  const rssSlope = slope(steady.map((m) => [m.minute, Math.max(...m.rss)]));
  const lagSlope = slope(steady.map((m) => [m.minute, m.lagP99]));
  const third = Math.max(1, Math.floor(steady.length / 3));
  const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
  const rssFirst = mean(steady.slice(0, third).map((m) => Math.max(...m.rss)));
  const rssLast = mean(steady.slice(-third).map((m) => Math.max(...m.rss)));
  const rssTrend = rssLast > rssFirst * 1.15 && rssSlope > 1;
  const finished = runs.filter((r) => r.finished).length;
  out('');
  out(`soak ${opts.minutes} min, topology ${opts.topology}, ${opts.ratePerMinute} applications/min`);
  out(`cases started ${runs.length}, finished ${finished}; statuses expected ${checked.expected}, delivered ${checked.delivered}, duplicated ${checked.duplicates}`);
  out(`faults injected ${injected.length}: ${injected.join('; ') || 'none'}; unexpected worker exits ${stack.workers.crashes.length}`);
  out(`worker RSS (max of two) first third ${rssFirst} MB, last third ${rssLast} MB, slope ${rssSlope.toFixed(2)} MB/min: ${rssTrend ? 'UPWARD TREND' : 'no upward trend'}`);
  out(`event-loop delay p99 slope ${lagSlope.toFixed(2)} ms/min`);
  for (const p of checked.problems.slice(0, 15)) out(`  ! ${p}`);
  const ok = finished === runs.length && checked.delivered === checked.expected && checked.duplicates === 0 && checked.problems.length === 0 && stack.workers.crashes.length === 0 && !rssTrend;
  out(ok ? 'soak: OK' : 'soak: FAILED');
  return ok ? 0 : 1;
}

runWithHardLimit('soak', (Number(process.argv[process.argv.indexOf('--minutes') + 1]) || 10) * 60_000 + 10 * 60_000, main, cleanup);
