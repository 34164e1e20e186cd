import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { v1 as uuidv1 } from 'uuid';
import { buildElkCreateOrdersRequest, SmevAdapterClient, SmevTransportError } from '../../epgu';
import { CTX, createInput } from './fixtures';
import { REPO_ROOT } from './helpers';

/** Runs epgu/emulator/main.ts as a separate process and drives it only over HTTP. */
describe('emulator CLI (separate process)', () => {
  it('prints its URL, is controllable over HTTP, and exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join('epgu', 'emulator', 'main.ts'), '--port', '0'], {
      cwd: REPO_ROOT,
      env: { ...process.env, TS_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout.setEncoding('utf8');
        child.stderr.setEncoding('utf8');
        child.stderr.on('data', (d: string) => (err += d));
        child.stdout.on('data', (d: string) => {
          out += d;
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`emulator exited early (${code}): ${err}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const client = new SmevAdapterClient({ baseUrl: url, itSystem: 'DEPT_CASES_01' });
      const content = buildElkCreateOrdersRequest(createInput(), CTX);
      const faults = await fetch(`${url}/__emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ failNextSends: 1 }),
      });
      expect(faults.status).toBe(200);
      const clientId = uuidv1();
      await expect(client.send({ clientId, content })).rejects.toBeInstanceOf(SmevTransportError);
      expect((await client.send({ clientId, content })).alreadySent).toBe(false);
      const reply = await client.findResponse(clientId);
      expect(reply).toMatchObject({ kind: 'elk', response: { code: 0 } });
      const order = (await (await fetch(`${url}/__emulator/orders/${encodeURIComponent('ОБР-2026/000123')}`)).json()) as {
        history: { status: number }[];
      };
      expect(order.history.map((h) => h.status)).toEqual([6]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
