// The production-shaped topology, started by one command (npm run cluster): Temporal server built from
// go.temporal.io/server on its own PostgreSQL (persistence + visibility, 4 history shards), the case database,
// the ЕЛК emulator and two worker processes on one task queue. Prints the addresses; Ctrl-C stops everything.
// The fault matrix (FAULT_TOPOLOGY=production), the soak and the benchmark (BENCH_TOPOLOGY=production) start
// the same pieces through scripts/topology/productionTemporal.ts and startStack.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanup, KEY_SPEC, log, startStack } from '../faultMatrix';
import { HISTORY_SHARDS } from './productionTemporal';
import { ROOT } from '../localStack';

async function main(): Promise<void> {
  const t0 = Date.now();
  const { env, workers, temporal, pg } = await startStack({ dir: path.join(ROOT, '.data/cluster'), topology: 'production', workers: 2 });
  const keysFile = path.join(ROOT, '.data/cluster/payload-keys');
  fs.writeFileSync(keysFile, `${KEY_SPEC}\n`, { mode: 0o600 });
  log(`cluster ready in ${Math.round((Date.now() - t0) / 1000)} s`);
  process.stdout.write(
    `${JSON.stringify({
      temporalAddress: temporal.address,
      historyShards: HISTORY_SHARDS,
      temporalPersistence: 'persistence' in temporal ? (temporal as { persistence: { url: string } }).persistence.url : null,
      caseDatabase: pg.url,
      elkAdapter: env.emulator.url,
      workerPids: workers.pids,
      // The generated payload keys stay out of the terminal: a 0600 file for the operator tools.
      payloadKeysFile: keysFile,
    }, null, 2)}\n`,
  );
  await new Promise<void>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
  });
}

main()
  .then(() => cleanup())
  .then(() => process.exit(0))
  .catch(async (err) => {
    process.stderr.write(`cluster: ${(err as Error).stack ?? err}\n`);
    await cleanup();
    process.exit(1);
  });
