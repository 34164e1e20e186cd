/**
 * Defensive XML reading for the small SMEV/ЕЛК documents we exchange, on saxes (a strict, namespace-aware,
 * conformance-tested streaming parser), plus the escaping helpers our message builders use. On top of saxes:
 * - the input is bounded in size before parsing and in nesting depth while parsing,
 * - a DOCTYPE is refused (no DTDs: no entity expansion or external entity tricks); saxes itself knows only the
 *   five predefined entities and character references,
 * - only UTF-8 is accepted,
 * - the result keeps elements (namespace and local name), attributes and text; comments and PIs are dropped.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';

export const DEFAULT_MAX_XML_BYTES = 1024 * 1024;
const DEFAULT_MAX_DEPTH = 64;

export interface XmlAttribute {
  readonly name: string;
  readonly local: string;
  readonly ns: string;
  readonly value: string;
}

export interface XmlElement {
  /** Qualified name as written (prefix:local). */
  readonly name: string;
  readonly local: string;
  /** Namespace URI, '' for no namespace. */
  readonly ns: string;
  readonly attributes: XmlAttribute[];
  readonly children: XmlElement[];
  /** Concatenated character data directly inside this element (not descendants). */
  text: string;
}

export class XmlParseError extends Error {
  constructor(message: string, readonly position?: number) {
    super(position === undefined ? message : `${message} (at offset ${position})`);
    this.name = 'XmlParseError';
  }
}

export interface XmlParseOptions {
  maxBytes?: number;
  maxDepth?: number;
}

const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** True if the code point is allowed in an XML 1.0 document. */
export function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** True if every code point of s may appear in an XML 1.0 document (no lone surrogates, no C0 controls). */
export function isValidXmlText(s: string): boolean {
  for (const ch of s) {
    if (!isXmlChar(ch.codePointAt(0)!)) return false;
  }
  return true;
}

// saxes' messages, said in the words this module has always used (callers and logs match on them).
const SAXES_MESSAGES: [RegExp, string][] = [
  [/unbound namespace prefix: "([^"]*)"/, "undeclared namespace prefix '$1'"],
  [/^disallowed character\.$/, 'character not allowed in XML 1.0'],
  [/undefined entity|malformed character entity|empty entity name/, 'unsupported entity reference'],
  [/documents may contain only one root/, 'more than one root element'],
  [/doctype/i, 'DOCTYPE and other declarations are not allowed'],
];

function inOurWords(saxesMessage: string, rootClosed: boolean): string {
  const message = saxesMessage.replace(/^\d+:\d+: /, '');
  if (/text data outside of root node/.test(message)) return rootClosed ? 'content after the root element' : 'text outside the root element';
  for (const [pattern, ours] of SAXES_MESSAGES) {
    const m = pattern.exec(message);
    if (m) return ours.replace('$1', m[1] ?? '');
  }
  return message;
}

/**
 * Parses an XML document into an element tree. Throws XmlParseError on anything malformed,
 * oversized, too deep, or using DTD features.
 */
export function parseXml(xml: string, opts: XmlParseOptions = {}): XmlElement {
  if (typeof xml !== 'string') throw new XmlParseError('XML input must be a string');
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  // Cheap upper bound first (UTF-8 uses at most 3 bytes per UTF-16 unit) so huge inputs are
  // rejected without a full byte count.
  if (xml.length > maxBytes || Buffer.byteLength(xml, 'utf8') > maxBytes) {
    throw new XmlParseError(`XML document exceeds ${maxBytes} bytes`);
  }
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (message: string): never => {
    throw new XmlParseError(message, parser.position);
  };

  parser.on('error', (err) => fail(inOurWords(err.message, root !== undefined && stack.length === 0)));
  parser.on('xmldecl', (decl) => {
    const encoding = decl.encoding?.toLowerCase();
    if (encoding !== undefined && encoding !== 'utf-8' && encoding !== 'utf8') fail(`unsupported encoding '${encoding}' (only UTF-8)`);
  });
  parser.on('doctype', () => fail('DOCTYPE and other declarations are not allowed'));
  parser.on('opentagstart', () => {
    if (stack.length >= maxDepth) fail(`nesting deeper than ${maxDepth}`);
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    const element: XmlElement = {
      name: tag.name,
      local: tag.local,
      ns: tag.uri,
      attributes: Object.values(tag.attributes).map((a) => ({ name: a.name, local: a.local, ns: a.uri, value: a.value })),
      children: [],
      text: '',
    };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('text', (text) => {
    const current = stack[stack.length - 1];
    if (current) current.text += text;
  });
  parser.on('cdata', (text) => {
    stack[stack.length - 1]!.text += text;
  });

  // A byte order mark is not part of the document; saxes reads text, not bytes.
  parser.write(xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml).close();
  if (!root) return fail('no root element');
  return root;
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
// Attribute values are also normalised by parsers: quotes, tabs and line ends must be character references.
const ATTR_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;' };

function escapeWith(table: Record<string, string>, s: string): string {
  let out = '';
  for (const c of s) out += table[c] ?? c;
  return out;
}

/** Escapes text for element content. CR is escaped so it survives parser line-end normalisation. */
export const escapeXmlText = (s: string): string => escapeWith(TEXT_ESCAPES, s);

/** Escapes text for a double-quoted attribute value. */
export const escapeXmlAttr = (s: string): string => escapeWith(ATTR_ESCAPES, s);

/** Attribute value by local name and namespace ('' = unqualified attribute). */
export function getAttribute(el: XmlElement, local: string, ns = ''): string | undefined {
  return el.attributes.find((a) => a.local === local && a.ns === ns)?.value;
}

export type PlainXml = string | { [name: string]: PlainXml | PlainXml[] };

/**
 * Converts an element subtree into a plain object keyed by local names so it can be checked
 * with zod. Every element must be in `ns`; names listed in `repeated` always become arrays,
 * any other name appearing twice is an error; mixed content is an error. Leaf elements become
 * their text. Attributes are ignored (read them with getAttribute).
 */
export function elementToPlain(el: XmlElement, ns: string, repeated: ReadonlySet<string>, path = el.local): PlainXml {
  if (el.ns !== ns) {
    throw new XmlParseError(`element '${path}' is in namespace '${el.ns}', expected '${ns}'`);
  }
  if (el.children.length === 0) return el.text;
  if ([...el.text].some((c) => !isWhitespace(c))) throw new XmlParseError(`element '${path}' has mixed content`);
  const out: { [name: string]: PlainXml | PlainXml[] } = Object.create(null);
  for (const child of el.children) {
    const childPath = `${path}/${child.local}`;
    const value = elementToPlain(child, ns, repeated, childPath);
    if (repeated.has(child.local)) {
      const list = (out[child.local] as PlainXml[] | undefined) ?? [];
      list.push(value);
      out[child.local] = list;
    } else {
      if (Object.prototype.hasOwnProperty.call(out, child.local)) {
        throw new XmlParseError(`element '${childPath}' occurs more than once`);
      }
      out[child.local] = value;
    }
  }
  return { ...out };
}
