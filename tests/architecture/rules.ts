// Reads the rules of ARCHITECTURE.md (rooms and their public entries, table owners, exceptions) and checks a
// source tree against them. Works on a map path → text so the tests can feed it small synthetic trees too.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Rules {
  /** room → its public entry: a file name, 'every file', or 'none' (nothing may import it). */
  rooms: Map<string, string>;
  /** table → the one file that may write it. */
  tableOwners: Map<string, string>;
  /** files exempt from the import rule, with the reason. */
  exceptions: Map<string, string>;
}

export interface Findings {
  /** Break a declared rule: the test fails on these. */
  violations: string[];
  /** Concern folders or tables not declared yet: reported only. */
  undeclared: string[];
}

const SKIPPED_DIRS = new Set(['node_modules', 'tests', 'lib', '.data', '.tools', '.git', 'templates']);

function tableRows(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`ARCHITECTURE.md has no "## ${heading}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown
    .slice(start, end < 0 ? undefined : end)
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

const code = (cell: string): string => /`([^`]+)`/.exec(cell)?.[1] ?? cell;

export function parseRules(markdown: string): Rules {
  const rooms = new Map(tableRows(markdown, 'Rooms').map((r) => [code(r[0]!).replace(/\/$/, ''), code(r[2]!)]));
  const tableOwners = new Map(tableRows(markdown, 'Tables').map((r) => [code(r[0]!), code(r[1]!)]));
  const exceptions = new Map(tableRows(markdown, 'Exceptions').map((r) => [code(r[0]!), r[2]!]));
  return { rooms, tableOwners, exceptions };
}

/** The repository's product sources (tests excluded), path relative to the root → text. */
export function readSources(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const rel = path.relative(root, path.join(dir, entry.name));
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(path.join(dir, entry.name));
      } else if (entry.name.endsWith('.ts') && rel.includes('/')) {
        out.set(rel.split(path.sep).join('/'), fs.readFileSync(path.join(dir, entry.name), 'utf8'));
      }
    }
  };
  walk(root);
  return out;
}

const IMPORT = /^\s*(import|export)\s+(type\s+)?[^;'"]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]|\b(?:require|import)\(\s*['"](\.{1,2}\/[^'"]+)['"]/gm;
// SQL keywords are upper case in this code base; "DO UPDATE SET" (an upsert) names no table.
const WRITE = /\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+([a-z_][a-z0-9_]*)\b/g;

const withoutComments = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

export function check(sources: Map<string, string>, rules: Rules): Findings {
  const violations: string[] = [];
  const undeclared = new Set<string>();
  const roomOf = (file: string) => file.split('/')[0]!;

  for (const [file, raw] of sources) {
    const text = withoutComments(raw);
    const from = roomOf(file);
    if (!rules.rooms.has(from)) undeclared.add(`folder ${from}/ is not in ARCHITECTURE.md's Rooms`);

    for (const m of text.matchAll(IMPORT)) {
      const spec = (m[3] ?? m[4])!;
      const typeOnly = m[2] !== undefined;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      const to = roomOf(target);
      if (to === from) continue;
      if (from === 'workflows' && !typeOnly && to !== 'shared') {
        violations.push(`${file}: workflow code imports values from ${spec} (only types may come from outside shared/)`);
      }
      if (rules.exceptions.has(file)) continue;
      const entry = rules.rooms.get(to);
      if (entry === undefined || !rules.rooms.has(from)) {
        const inner = target.slice(to.length + 1);
        if (inner !== '' && inner !== 'index') undeclared.add(`${file} imports ${spec}, past the entry of ${to}/ (room not declared)`);
        continue;
      }
      if (entry === 'every file') continue;
      const inner = target.slice(to.length + 1);
      const allowed = entry === 'index.ts' ? inner === '' || inner === 'index' : entry !== 'none' && inner === entry.replace(/\.ts$/, '');
      if (!allowed) violations.push(`${file}: imports ${spec}, past ${to}/'s public entry (${entry})`);
    }

    for (const m of text.matchAll(WRITE)) {
      const table = m[1]!;
      if (table === 'set') continue;
      const owner = rules.tableOwners.get(table);
      if (owner === undefined) undeclared.add(`table ${table} (written by ${file}) is not in ARCHITECTURE.md's Tables`);
      else if (owner !== file) violations.push(`${file}: writes ${table}, whose one writer is ${owner}`);
    }
  }
  return { violations: [...new Set(violations)], undeclared: [...undeclared] };
}
