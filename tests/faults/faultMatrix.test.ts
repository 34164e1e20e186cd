// The fault matrix itself: a row passes only when its declared faults really happened. The pure verdict is
// checked rule by rule; then the real matrix runs a row whose kill is triggered beyond the batch's progress,
// so it cannot happen, and the run must fail naming the missing injection.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { judgeRow, RowOutcome } from '../../scripts/faults/verdict';

const clean: RowOutcome = {
  fault: 'worker-sigkill',
  apps: 4,
  started: 4,
  finished: 4,
  expected: 10,
  delivered: 10,
  duplicates: 0,
  required: { 'worker SIGKILL': 2 },
  injected: { 'worker SIGKILL': 2 },
  unexpectedExits: [],
  problems: [],
};

describe('row verdict', () => {
  it('passes a row whose faults all happened and whose cabinets are exact', () => {
    expect(judgeRow(clean)).toEqual({ ok: true, reasons: [] });
  });

  it('fails a row with fewer injections than required, even if every status arrived', () => {
    const v = judgeRow({ ...clean, injected: { 'worker SIGKILL': 1 } });
    expect(v.ok).toBe(false);
    expect(v.reasons).toEqual(['fault not proven: worker SIGKILL injected 1, required 2']);
    expect(judgeRow({ ...clean, injected: {} }).reasons[0]).toMatch(/injected 0, required 2/);
  });

  it('fails a row whose fault driver failed or where a process exited on its own', () => {
    expect(judgeRow({ ...clean, chaosError: 'pg_ctl: could not start server' }).reasons).toEqual(['chaos failed: pg_ctl: could not start server']);
    expect(judgeRow({ ...clean, unexpectedExits: ['worker 0: Error: boom'] }).reasons).toEqual(['unexpected process exits: worker 0: Error: boom']);
  });

  it('fails a row whose worker could not replay a history, even if every status arrived', () => {
    // The ЕЛК fast path of this round delivered every status and still failed here: a completed case whose
    // history its own code does not replay can no longer be queried.
    expect(judgeRow({ ...clean, nondeterminism: 0 }).ok).toBe(true);
    expect(judgeRow({ ...clean, nondeterminism: 3 }).reasons).toEqual(['3 nondeterminism errors ([TMPRL1100]) in the worker log: a history does not replay']);
  });

  it('fails on lost, unfinished or doubled work', () => {
    expect(judgeRow({ ...clean, finished: 3 }).ok).toBe(false);
    expect(judgeRow({ ...clean, delivered: 9 }).ok).toBe(false);
    expect(judgeRow({ ...clean, duplicates: 1 }).ok).toBe(false);
  });
});

describe('fault matrix run', () => {
  it('fails a row whose fault could not be injected, and says which fault is missing', async () => {
    const root = path.resolve(__dirname, '../..');
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/faultMatrix.ts'], {
      cwd: root,
      env: { ...process.env, FAULT_ONLY: 'unreachable-kill', FAULT_APPS: '2', FAULT_ROW_LIMIT_S: '60', FAULT_HARD_LIMIT_MS: '170000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', () => undefined);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(out).toMatch(/unreachable-kill .*worker SIGKILL 0\/1 +FAILED/);
    expect(out).toContain('✗ fault not proven: worker SIGKILL injected 0, required 1');
    expect(out).toContain('fault matrix: FAILED');
    expect(code).toBe(1);
  }, 180_000);
});
