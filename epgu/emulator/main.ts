/**
 * CLI: runs the ЕЛК/SMEV-adapter emulator as a separate process.
 *   ts-node epgu/emulator/main.ts --port 7590 [--host 127.0.0.1] [--service-target-codes a,b]
 *     [--allowed-status-codes 1,2,3] [--reply-delay-ms 0] [--exchange-dir DIR] [--max-attachment-bytes N]
 * The control token for /__emulator/ routes comes from SMEV_EMULATOR_TOKEN (required beyond loopback).
 * Prints the base URL on stdout (one line, "ELK emulator listening on <url>") and stops on SIGTERM/SIGINT.
 */
import { startElkEmulator, ElkEmulatorOptions } from './elkEmulator';

function parseArgs(argv: string[]): ElkEmulatorOptions {
  const opts: ElkEmulatorOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    const need = (): string => {
      if (value === undefined) throw new Error(`${flag} needs a value`);
      i++;
      return value;
    };
    const int = (s: string): number => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag}: not a non-negative integer: ${s}`);
      return n;
    };
    const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);
    switch (flag) {
      case '--port':
        opts.port = int(need());
        break;
      case '--host':
        opts.host = need();
        break;
      case '--service-target-codes':
        opts.validServiceTargetCodes = list(need());
        break;
      case '--allowed-status-codes':
        opts.allowedStatusCodes = list(need()).map((s) => {
          const n = Number(s);
          if (!Number.isInteger(n)) throw new Error(`--allowed-status-codes: not an integer: ${s}`);
          return n;
        });
        break;
      case '--reply-delay-ms':
        opts.replyDelayMs = int(need());
        break;
      case '--exchange-dir':
        opts.exchangeDir = need();
        break;
      case '--max-attachment-bytes':
        opts.maxAttachmentBytes = int(need());
        break;
      case '--help':
      case '-h':
        process.stdout.write(
          'usage: ts-node epgu/emulator/main.ts [--port 7590] [--host 127.0.0.1] [--service-target-codes a,b] ' +
            '[--allowed-status-codes 1,2] [--reply-delay-ms 0] [--exchange-dir DIR] [--max-attachment-bytes N]\n' +
            'env SMEV_EMULATOR_TOKEN: token for the /__emulator/ routes (required when --host is not loopback)\n',
        );
        process.exit(0);
      default:
        throw new Error(`unknown argument: ${flag}`);
    }
  }
  return opts;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const token = process.env.SMEV_EMULATOR_TOKEN;
  const emulator = await startElkEmulator({ port: 7590, ...opts, ...(token ? { controlToken: token } : {}) });
  process.stdout.write(`ELK emulator listening on ${emulator.url} (exchange folder ${emulator.exchangeDir})\n`);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`ELK emulator: ${signal}, stopping\n`);
    emulator.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`ELK emulator: stop failed: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`ELK emulator failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
