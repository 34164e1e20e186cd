// How the long-running tools (fault matrix, soak) end: exit with main's code, clean up on every path (done,
// error, Ctrl-C, SIGTERM) and stop on a hard time limit so a hung run never holds the machine.
export function runWithHardLimit(name: string, hardLimitMs: number, main: () => Promise<number>, cleanup: () => Promise<void>): void {
  const hardStop = setTimeout(() => {
    process.stdout.write(`${name}: ABORTED after ${Math.round(hardLimitMs / 1000)} s (hard limit)\n`);
    void cleanup().finally(() => process.exit(3));
  }, hardLimitMs);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));

  main()
    .then(async (code) => {
      clearTimeout(hardStop);
      await cleanup();
      process.exit(code);
    })
    .catch(async (err) => {
      clearTimeout(hardStop);
      process.stdout.write(`${name}: ERROR ${(err as Error).stack ?? err}\n`);
      await cleanup();
      process.exit(2);
    });
}
