// Reads the rules of ARCHITECTURE.md (rooms and their public entries, table owners, exceptions) and checks a
// source tree against them. Works on a map path → text so the tests can feed it small synthetic trees too.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Rules {
  /** room → its public entry: a file name, 'every file', or 'none' (nothing may import it). */
  rooms: Map<string, string>;
  /** table → the one file that may write it. */
  tableOwners: Map<string, string>;
  /**
   * Files (or folders, ending in /) exempt from the import rule, with the rule cell: when it names a room in
   * backticks (`shared/`), only imports into that room are exempt.
   */
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
  const exceptions = new Map(tableRows(markdown, 'Exceptions').map((r) => [code(r[0]!), r[1]!]));
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

/** Whether an exception row lets `file` import past `to`'s entry. */
function exempt(rules: Rules, file: string, to: string): boolean {
  for (const [key, rule] of rules.exceptions) {
    if (key !== file && !(key.endsWith('/') && file.startsWith(key))) continue;
    const room = /`([a-z]+)\/`/.exec(rule)?.[1];
    if (room === undefined || room === to) return true;
  }
  return false;
}

/** The file an import names: `x.ts`, else `x/index.ts`; null outside the sources (packages, JSON). */
function resolveImport(sources: Map<string, string>, target: string): string | null {
  for (const candidate of [`${target}.ts`, `${target}/index.ts`, target]) if (sources.has(candidate)) return candidate;
  return null;
}

/** Groups of files that import each other in a ring, types included (Tarjan's strongly connected components). */
export function importCycles(graph: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || graph.get(v)?.has(v)) cycles.push(group.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** The files `entry` loads at run time: value imports only (`import type` and `export type` load nothing). */
export function runtimeClosure(sources: Map<string, string>, entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of withoutComments(sources.get(file) ?? '').matchAll(IMPORT)) {
      if (m[2] !== undefined) continue;
      const resolved = resolveImport(sources, path.posix.normalize(path.posix.join(path.posix.dirname(file), (m[3] ?? m[4])!)));
      if (resolved !== null) pending.push(resolved);
    }
  }
  return seen;
}

export function check(sources: Map<string, string>, rules: Rules): Findings {
  const violations: string[] = [];
  const undeclared = new Set<string>();
  const roomOf = (file: string) => file.split('/')[0]!;
  const graph = new Map<string, Set<string>>();

  for (const [file, raw] of sources) {
    const text = withoutComments(raw);
    const from = roomOf(file);
    if (!rules.rooms.has(from)) undeclared.add(`folder ${from}/ is not in ARCHITECTURE.md's Rooms`);

    for (const m of text.matchAll(IMPORT)) {
      const spec = (m[3] ?? m[4])!;
      const typeOnly = m[2] !== undefined;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      const to = roomOf(target);
      const resolved = resolveImport(sources, target);
      if (resolved !== null) graph.set(file, (graph.get(file) ?? new Set()).add(resolved));
      if (to === from) continue;
      if (from === 'workflows' && !typeOnly && to !== 'shared') {
        violations.push(`${file}: workflow code imports values from ${spec} (only types may come from outside shared/)`);
      }
      if (exempt(rules, file, to)) continue;
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
  for (const cycle of importCycles(graph)) violations.push(`import cycle among ${cycle.join(', ')}`);
  return { violations: [...new Set(violations)], undeclared: [...undeclared] };
}
