/**
 * Static check of Handlebars templates against the schema of the data they are rendered with.
 *
 * `strict: true` only catches a missing key when the template is actually rendered with data that
 * lacks it, and not at all for block-helper arguments (`{{#if typo}}` silently renders the else
 * branch — handlebars.js#1138). Walking the AST at start-up catches every undeclared variable, every
 * unknown helper/partial and every optional value printed outside an `{{#if}}` guard, before any
 * letter is sent.
 */
import Handlebars from 'handlebars';

export type Shape =
  | { readonly kind: 'scalar' }
  | { readonly kind: 'list'; readonly element: Shape }
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, Field>> };
export interface Field {
  readonly shape: Shape;
  readonly optional: boolean;
}

export const shape = {
  scalar: { kind: 'scalar' } as Shape,
  list: (element: Shape): Shape => ({ kind: 'list', element }),
  object: (fields: Record<string, Shape | Field>): Shape => ({
    kind: 'object',
    fields: Object.fromEntries(
      Object.entries(fields).map(([k, v]) => [k, 'shape' in v ? v : { shape: v, optional: false }]),
    ),
  }),
  optional: (s: Shape): Field => ({ shape: s, optional: true }),
};

export type ParamKind = 'scalar' | 'list' | 'any';
export interface HelperSignature {
  /** Structural/inline-markup helpers are used only as blocks without arguments ({{#para}}…{{/para}}). */
  readonly block: boolean;
  readonly params: readonly ParamKind[];
}

export interface CheckOptions {
  readonly helpers: Readonly<Record<string, HelperSignature>>;
  /** Parsed partials that templates may include with {{> name}}; checked in the caller's context. */
  readonly partials: Readonly<Record<string, hbs.AST.Program>>;
}

const BUILTIN_BLOCKS = new Set(['if', 'unless', 'each', 'with']);
const EACH_DATA = new Set(['index', 'first', 'last']);

interface Scope {
  readonly shape: Shape;
  /** Absolute path of this scope, used to key `{{#if}}` guards (list elements end with "[]"). */
  readonly abs: string;
  readonly inEach: boolean;
}

const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** Returns human-readable problems (empty when the template is sound). */
export function checkTemplate(name: string, ast: hbs.AST.Program, root: Shape, options: CheckOptions): string[] {
  const problems: string[] = [];
  const partialStack: string[] = [];

  const at = (node: hbs.AST.Node, source: string) =>
    `${source}:${node.loc ? `${node.loc.start.line}:${node.loc.start.column + 1}` : '?'}`;

  const visitProgram = (program: hbs.AST.Program | undefined, scopes: Scope[], guards: ReadonlySet<string>, src: string) => {
    if (!program) return;
    if (program.blockParams && program.blockParams.length) {
      problems.push(`${at(program, src)}: block parameters (as |x|) are not supported`);
    }
    for (const stmt of program.body) visitStatement(stmt, scopes, guards, src);
  };

  /** Resolves a variable; returns its shape and absolute path, or null after recording a problem. */
  const resolve = (
    p: hbs.AST.PathExpression,
    scopes: Scope[],
    guards: ReadonlySet<string>,
    src: string,
    allowUnguardedOptional: boolean,
  ): { shape: Shape; abs: string } | null => {
    const top = scopes[scopes.length - 1 - p.depth];
    if (!top) {
      problems.push(`${at(p, src)}: "${p.original}" refers above the root context`);
      return null;
    }
    if (p.data) {
      if (p.parts.length === 1 && EACH_DATA.has(p.parts[0]) && top.inEach) return { shape: shape.scalar, abs: `${top.abs}@${p.parts[0]}` };
      problems.push(`${at(p, src)}: data variable "${p.original}" is not allowed here (only @index/@first/@last inside {{#each}})`);
      return null;
    }
    let cur = top.shape;
    let abs = top.abs;
    for (const part of p.parts) {
      if (cur.kind !== 'object' || !has(cur.fields, part)) {
        problems.push(`${at(p, src)}: variable "${p.original}" is not declared in the schema of ${name}`);
        return null;
      }
      const field = cur.fields[part];
      abs = abs ? `${abs}.${part}` : part;
      if (field.optional && !allowUnguardedOptional && !isGuarded(abs, guards)) {
        problems.push(`${at(p, src)}: optional "${p.original}" is used outside {{#if ${p.original}}}`);
        return null;
      }
      cur = field.shape;
    }
    return { shape: cur, abs };
  };

  const isGuarded = (abs: string, guards: ReadonlySet<string>) => {
    for (const g of guards) if (g === abs || g.startsWith(`${abs}.`)) return true;
    return false;
  };

  const helperName = (p: hbs.AST.Node): string | null => {
    if (p.type !== 'PathExpression') return null;
    const path = p as hbs.AST.PathExpression;
    return !path.data && path.depth === 0 && path.parts.length === 1 && path.original === path.parts[0] && has(options.helpers, path.parts[0])
      ? path.parts[0]
      : null;
  };

  const checkParams = (
    node: hbs.AST.MustacheStatement | hbs.AST.SubExpression,
    helper: string,
    scopes: Scope[],
    guards: ReadonlySet<string>,
    src: string,
  ) => {
    const sig = options.helpers[helper];
    if (node.hash && node.hash.pairs.length) problems.push(`${at(node, src)}: helper "${helper}" takes no hash arguments`);
    if (node.params.length !== sig.params.length) {
      problems.push(`${at(node, src)}: helper "${helper}" expects ${sig.params.length} argument(s), got ${node.params.length}`);
    }
    node.params.forEach((param, i) => {
      const kind = sig.params[i] ?? 'any';
      const got = visitExpression(param, scopes, guards, src, false);
      if (got && kind !== 'any' && got.kind !== kind) {
        problems.push(`${at(param, src)}: argument ${i + 1} of "${helper}" must be a ${kind}, got a ${got.kind}`);
      }
    });
  };

  /** Returns the shape of the expression's value, or null when it could not be determined. */
  const visitExpression = (
    e: hbs.AST.Expression,
    scopes: Scope[],
    guards: ReadonlySet<string>,
    src: string,
    allowUnguardedOptional: boolean,
  ): Shape | null => {
    switch (e.type) {
      case 'PathExpression':
        return resolve(e as hbs.AST.PathExpression, scopes, guards, src, allowUnguardedOptional)?.shape ?? null;
      case 'SubExpression': {
        const sub = e as hbs.AST.SubExpression;
        const helper = helperName(sub.path);
        if (!helper || options.helpers[helper].block) {
          problems.push(`${at(sub, src)}: unknown helper "${sub.path.original}" in sub-expression`);
          return null;
        }
        checkParams(sub, helper, scopes, guards, src);
        return shape.scalar;
      }
      case 'StringLiteral':
      case 'NumberLiteral':
      case 'BooleanLiteral':
        return shape.scalar;
      default:
        problems.push(`${at(e, src)}: unsupported expression ${e.type}`);
        return null;
    }
  };

  const visitStatement = (stmt: hbs.AST.Statement, scopes: Scope[], guards: ReadonlySet<string>, src: string) => {
    switch (stmt.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement': {
        const m = stmt as hbs.AST.MustacheStatement;
        if (!m.escaped) problems.push(`${at(m, src)}: triple-stash {{{…}}} is not allowed (escaping is done per output format)`);
        const helper = helperName(m.path);
        if (helper) {
          if (options.helpers[helper].block) problems.push(`${at(m, src)}: "${helper}" must be used as a block {{#${helper}}}…{{/${helper}}}`);
          else checkParams(m, helper, scopes, guards, src);
          return;
        }
        if (m.path.type !== 'PathExpression') {
          problems.push(`${at(m, src)}: literal output is not allowed`);
          return;
        }
        if (m.params.length || (m.hash && m.hash.pairs.length)) {
          problems.push(`${at(m, src)}: unknown helper "${(m.path as hbs.AST.PathExpression).original}"`);
          return;
        }
        const got = resolve(m.path as hbs.AST.PathExpression, scopes, guards, src, false);
        if (got && got.shape.kind !== 'scalar') {
          problems.push(`${at(m, src)}: "${(m.path as hbs.AST.PathExpression).original}" is a ${got.shape.kind} and cannot be printed directly`);
        }
        return;
      }
      case 'BlockStatement': {
        const b = stmt as hbs.AST.BlockStatement;
        const blockName = b.path.original;
        if (BUILTIN_BLOCKS.has(blockName) && helperName(b.path) === null) {
          visitBuiltinBlock(b, blockName, scopes, guards, src);
          return;
        }
        const helper = helperName(b.path);
        if (!helper || !options.helpers[helper].block) {
          problems.push(`${at(b, src)}: unknown block helper "${blockName}"`);
          return;
        }
        if (b.params.length || (b.hash && b.hash.pairs.length)) problems.push(`${at(b, src)}: block "${helper}" takes no arguments`);
        if (b.inverse) problems.push(`${at(b, src)}: block "${helper}" has no {{else}} branch`);
        visitProgram(b.program, scopes, guards, src);
        return;
      }
      case 'PartialStatement': {
        const p = stmt as hbs.AST.PartialStatement;
        const partialName = p.name.type === 'PathExpression' ? (p.name as hbs.AST.PathExpression).original : null;
        if (!partialName || !has(options.partials, partialName)) {
          problems.push(`${at(p, src)}: unknown or dynamic partial "${partialName ?? '(expression)'}"`);
          return;
        }
        if (p.params.length || (p.hash && p.hash.pairs.length)) {
          problems.push(`${at(p, src)}: partial "${partialName}" must be called without arguments (it uses the current context)`);
          return;
        }
        if (partialStack.includes(partialName)) {
          problems.push(`${at(p, src)}: recursive partial "${partialName}"`);
          return;
        }
        partialStack.push(partialName);
        visitProgram(options.partials[partialName], scopes, guards, partialName);
        partialStack.pop();
        return;
      }
      default:
        problems.push(`${at(stmt, src)}: ${stmt.type} is not supported`);
    }
  };

  const visitBuiltinBlock = (
    b: hbs.AST.BlockStatement,
    blockName: string,
    scopes: Scope[],
    guards: ReadonlySet<string>,
    src: string,
  ) => {
    if (b.params.length !== 1 || (b.hash && b.hash.pairs.length)) {
      problems.push(`${at(b, src)}: {{#${blockName}}} takes exactly one argument`);
      return;
    }
    const param = b.params[0];
    if (blockName === 'if' || blockName === 'unless') {
      // The condition itself may be absent: that is what the guard is for.
      const resolved = param.type === 'PathExpression' ? resolve(param as hbs.AST.PathExpression, scopes, guards, src, true) : null;
      if (param.type !== 'PathExpression') visitExpression(param, scopes, guards, src, false);
      const guarded = resolved ? new Set([...guards, resolved.abs]) : guards;
      visitProgram(b.program, scopes, blockName === 'if' ? guarded : guards, src);
      visitProgram(b.inverse, scopes, blockName === 'if' ? guards : guarded, src);
      return;
    }
    if (param.type !== 'PathExpression') {
      problems.push(`${at(b, src)}: {{#${blockName}}} needs a variable`);
      return;
    }
    const resolved = resolve(param as hbs.AST.PathExpression, scopes, guards, src, false);
    if (!resolved) return;
    const expected = blockName === 'each' ? 'list' : 'object';
    if (resolved.shape.kind !== expected) {
      problems.push(`${at(b, src)}: {{#${blockName} ${(param as hbs.AST.PathExpression).original}}} needs a ${expected}, got a ${resolved.shape.kind}`);
      return;
    }
    const inner: Scope =
      resolved.shape.kind === 'list'
        ? { shape: resolved.shape.element, abs: `${resolved.abs}[]`, inEach: true }
        : { shape: resolved.shape, abs: resolved.abs, inEach: false };
    visitProgram(b.program, [...scopes, inner], guards, src);
    visitProgram(b.inverse, scopes, guards, src);
  };

  visitProgram(ast, [{ shape: root, abs: '', inEach: false }], new Set(), name);
  return problems;
}

/** Parses template source; syntax errors become problems instead of exceptions. */
export function parseTemplate(name: string, source: string): { ast: hbs.AST.Program | null; problems: string[] } {
  try {
    return { ast: Handlebars.parse(source), problems: [] };
  } catch (e) {
    return { ast: null, problems: [`${name}: syntax error: ${(e as Error).message.split('\n')[0]}`] };
  }
}

/** Field names anywhere in a shape (to detect collisions with helper names). */
export function fieldNames(s: Shape, out: Set<string> = new Set()): Set<string> {
  if (s.kind === 'object') {
    for (const [k, f] of Object.entries(s.fields)) {
      out.add(k);
      fieldNames(f.shape, out);
    }
  } else if (s.kind === 'list') fieldNames(s.element, out);
  return out;
}
