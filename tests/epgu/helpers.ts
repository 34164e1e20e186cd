import { spawn } from 'node:child_process';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const ELK_XSD = path.join(REPO_ROOT, 'epgu', 'schemas', 'elk-status-1.0.2.xsd');

/** Validates with Debian's native xmllint (independent of xmllint-wasm). */
export function nativeXmllint(xml: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/xmllint', ['--noout', '--schema', ELK_XSD, '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
    child.stdin.end(xml, 'utf8');
  });
}
