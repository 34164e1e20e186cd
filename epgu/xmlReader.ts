/**
 * Minimal, defensive XML reader and writer helpers for the small SMEV/ЕЛК documents we exchange.
 *
 * The reader is a hand-written scanner (no regular expressions over the document) that
 * - bounds input size and nesting depth before/while parsing,
 * - refuses DOCTYPE declarations (no DTDs => no entity expansion or external entity tricks),
 * - understands only the five predefined entities and numeric character references,
 * - resolves namespaces, so callers compare (namespace, localName) and not prefixes.
 * It is not a general-purpose XML parser: it keeps only elements, attributes and text.
 */

export const DEFAULT_MAX_XML_BYTES = 1024 * 1024;
const DEFAULT_MAX_DEPTH = 64;
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

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

function isWhitespace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

// Name characters: a permissive approximation of the XML NameChar production that still
// excludes every delimiter the scanner relies on.
function isNameChar(c: string): boolean {
  return c !== '' && !isWhitespace(c) && '<>/=!?"\'&;[]()'.indexOf(c) < 0;
}

function isNameStartChar(c: string): boolean {
  return isNameChar(c) && !(c >= '0' && c <= '9') && c !== '-' && c !== '.';
}

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

interface PendingElement {
  name: string;
  rawAttrs: { name: string; value: string }[];
  scope: Map<string, string>;
  element: XmlElement;
}

class Scanner {
  pos = 0;
  constructor(readonly s: string) {}
  peek(offset = 0): string {
    return this.s.charAt(this.pos + offset);
  }
  startsWith(lit: string): boolean {
    return this.s.startsWith(lit, this.pos);
  }
  eof(): boolean {
    return this.pos >= this.s.length;
  }
  fail(msg: string): never {
    throw new XmlParseError(msg, this.pos);
  }
  expect(lit: string): void {
    if (!this.startsWith(lit)) this.fail(`expected '${lit}'`);
    this.pos += lit.length;
  }
  skipWs(): boolean {
    const start = this.pos;
    while (!this.eof() && isWhitespace(this.peek())) this.pos++;
    return this.pos > start;
  }
  readName(): string {
    const start = this.pos;
    if (!isNameStartChar(this.peek())) this.fail('expected a name');
    while (!this.eof() && isNameChar(this.peek())) this.pos++;
    return this.s.slice(start, this.pos);
  }
  /** Reads up to the terminator (exclusive) and skips the terminator. */
  readUntil(terminator: string, what: string): string {
    const end = this.s.indexOf(terminator, this.pos);
    if (end < 0) this.fail(`unterminated ${what}`);
    const out = this.s.slice(this.pos, end);
    this.pos = end + terminator.length;
    return out;
  }
}

function decodeEntities(raw: string, sc: Scanner, inAttribute: boolean): string {
  if (raw.indexOf('&') < 0 && raw.indexOf('<') < 0) return inAttribute ? normalizeAttr(raw) : raw;
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const c = raw.charAt(i);
    if (c === '<') sc.fail('unescaped < in ' + (inAttribute ? 'attribute value' : 'text'));
    if (c !== '&') {
      out += inAttribute && (c === '\t' || c === '\n' || c === '\r') ? ' ' : c;
      i++;
      continue;
    }
    const semi = raw.indexOf(';', i);
    if (semi < 0 || semi - i > 12) sc.fail('malformed entity reference');
    const ref = raw.slice(i + 1, semi);
    switch (ref) {
      case 'lt':
        out += '<';
        break;
      case 'gt':
        out += '>';
        break;
      case 'amp':
        out += '&';
        break;
      case 'quot':
        out += '"';
        break;
      case 'apos':
        out += "'";
        break;
      default: {
        let cp = NaN;
        if (ref.startsWith('#x')) {
          const hex = ref.slice(2);
          if (hex.length > 0 && [...hex].every((h) => '0123456789abcdefABCDEF'.includes(h))) cp = parseInt(hex, 16);
        } else if (ref.startsWith('#')) {
          const dec = ref.slice(1);
          if (dec.length > 0 && [...dec].every((d) => d >= '0' && d <= '9')) cp = parseInt(dec, 10);
        }
        if (!Number.isFinite(cp) || !isXmlChar(cp)) sc.fail(`unsupported entity reference '&${ref};'`);
        out += String.fromCodePoint(cp);
      }
    }
    i = semi + 1;
  }
  return out;
}

function normalizeAttr(v: string): string {
  let out = '';
  for (const c of v) out += c === '\t' || c === '\n' || c === '\r' ? ' ' : c;
  return out;
}

function splitQName(qname: string, sc: Scanner): [string, string] {
  const colon = qname.indexOf(':');
  if (colon < 0) return ['', qname];
  const prefix = qname.slice(0, colon);
  const local = qname.slice(colon + 1);
  if (!prefix || !local || local.indexOf(':') >= 0) sc.fail(`malformed qualified name '${qname}'`);
  return [prefix, local];
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
  // XML 1.0 §2.11: line ends are normalised to LF before parsing (&#13; survives as CR).
  const normalized = (xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml).replace(/\r\n?/g, '\n');
  const sc: Scanner = new Scanner(normalized);

  // Prolog: optional declaration, comments, PIs, whitespace. DOCTYPE is refused.
  if (sc.startsWith('<?xml') && isWhitespace(sc.peek(5))) {
    const decl = sc.readUntil('?>', 'XML declaration');
    const enc = decl.indexOf('encoding');
    if (enc >= 0) {
      const m = /^\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(decl.slice(enc + 8));
      if (!m) sc.fail('malformed encoding declaration');
      const encName = m[1]!.toLowerCase();
      if (encName !== 'utf-8' && encName !== 'utf8') sc.fail(`unsupported encoding '${encName}' (only UTF-8)`);
    }
  }
  skipMisc(sc);
  if (sc.eof()) sc.fail('no root element');

  const stack: PendingElement[] = [];
  let root: XmlElement | undefined;
  const rootScope = new Map<string, string>([['xml', XML_NS]]);

  while (!sc.eof()) {
    if (stack.length === 0 && root) {
      skipMisc(sc);
      if (!sc.eof()) sc.fail('content after the root element');
      break;
    }
    const c = sc.peek();
    if (c === '<') {
      if (sc.startsWith('<!--')) {
        sc.pos += 4;
        sc.readUntil('-->', 'comment');
      } else if (sc.startsWith('<![CDATA[')) {
        if (stack.length === 0) sc.fail('CDATA outside the root element');
        sc.pos += 9;
        stack[stack.length - 1]!.element.text += sc.readUntil(']]>', 'CDATA section');
      } else if (sc.startsWith('<!')) {
        sc.fail('DOCTYPE and other declarations are not allowed');
      } else if (sc.startsWith('<?')) {
        sc.pos += 2;
        const target = sc.readName();
        if (target.toLowerCase() === 'xml') sc.fail('misplaced XML declaration');
        sc.readUntil('?>', 'processing instruction');
      } else if (sc.startsWith('</')) {
        sc.pos += 2;
        const name = sc.readName();
        sc.skipWs();
        sc.expect('>');
        const top = stack.pop();
        if (!top) sc.fail(`unexpected end tag </${name}>`);
        if (top.name !== name) sc.fail(`end tag </${name}> does not match <${top.name}>`);
        if (stack.length === 0) root = top.element;
      } else {
        sc.pos += 1;
        if (stack.length >= maxDepth) sc.fail(`nesting deeper than ${maxDepth}`);
        const parentScope = stack.length ? stack[stack.length - 1]!.scope : rootScope;
        const pending = readStartTag(sc, parentScope);
        const parent = stack[stack.length - 1];
        if (!parent && root) sc.fail('more than one root element');
        if (parent) parent.element.children.push(pending.element);
        if (sc.startsWith('/>')) {
          sc.pos += 2;
          if (!parent) root = pending.element;
        } else {
          sc.expect('>');
          stack.push(pending);
        }
      }
    } else {
      const next = sc.s.indexOf('<', sc.pos);
      const end = next < 0 ? sc.s.length : next;
      const raw = sc.s.slice(sc.pos, end);
      if (stack.length === 0) {
        if ([...raw].some((ch) => !isWhitespace(ch))) sc.fail('text outside the root element');
      } else {
        if (raw.indexOf(']]>') >= 0) sc.fail("']]>' is not allowed in text");
        stack[stack.length - 1]!.element.text += decodeEntities(raw, sc, false);
      }
      sc.pos = end;
    }
  }
  if (stack.length > 0) sc.fail(`unclosed element <${stack[stack.length - 1]!.name}>`);
  if (!root) sc.fail('no root element');
  if (!isValidXmlText(sc.s)) throw new XmlParseError('document contains characters not allowed in XML 1.0');
  return root;
}

function skipMisc(sc: Scanner): void {
  for (;;) {
    sc.skipWs();
    if (sc.startsWith('<!--')) {
      sc.pos += 4;
      sc.readUntil('-->', 'comment');
    } else if (sc.startsWith('<?')) {
      sc.pos += 2;
      const target = sc.readName();
      if (target.toLowerCase() === 'xml') sc.fail('misplaced XML declaration');
      sc.readUntil('?>', 'processing instruction');
    } else if (sc.startsWith('<!')) {
      sc.fail('DOCTYPE and other declarations are not allowed');
    } else {
      return;
    }
  }
}

function readStartTag(sc: Scanner, parentScope: Map<string, string>): PendingElement {
  const name = sc.readName();
  const rawAttrs: { name: string; value: string }[] = [];
  const seen = new Set<string>();
  for (;;) {
    const hadWs = sc.skipWs();
    const c = sc.peek();
    if (c === '>' || c === '/' || sc.eof()) break;
    if (!hadWs) sc.fail('whitespace required between attributes');
    const attrName = sc.readName();
    if (seen.has(attrName)) sc.fail(`duplicate attribute '${attrName}'`);
    seen.add(attrName);
    sc.skipWs();
    sc.expect('=');
    sc.skipWs();
    const quote = sc.peek();
    if (quote !== '"' && quote !== "'") sc.fail('attribute value must be quoted');
    sc.pos += 1;
    const rawValue = sc.readUntil(quote, 'attribute value');
    rawAttrs.push({ name: attrName, value: decodeEntities(rawValue, sc, true) });
  }
  if (sc.eof()) sc.fail(`unterminated start tag <${name}>`);

  // Namespace declarations on this element form its scope.
  let scope = parentScope;
  for (const a of rawAttrs) {
    if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) {
      if (scope === parentScope) scope = new Map(parentScope);
      const prefix = a.name === 'xmlns' ? '' : a.name.slice(6);
      if (prefix === 'xmlns' || (prefix === 'xml' && a.value !== XML_NS)) sc.fail(`illegal namespace declaration '${a.name}'`);
      if (prefix !== '' && a.value === '') sc.fail(`empty namespace for prefix '${prefix}'`);
      scope.set(prefix, a.value);
    }
  }
  const [prefix, local] = splitQName(name, sc);
  const ns = scope.get(prefix);
  if (ns === undefined) {
    if (prefix) sc.fail(`undeclared namespace prefix '${prefix}'`);
  }
  const attributes: XmlAttribute[] = [];
  const expanded = new Set<string>();
  for (const a of rawAttrs) {
    let attrNs = '';
    let attrLocal = a.name;
    if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) {
      attrNs = XMLNS_NS;
      attrLocal = a.name === 'xmlns' ? 'xmlns' : a.name.slice(6);
    } else {
      const [p, l] = splitQName(a.name, sc);
      attrLocal = l;
      if (p) {
        const u = scope.get(p);
        if (u === undefined) sc.fail(`undeclared namespace prefix '${p}'`);
        attrNs = u;
      }
    }
    const key = `{${attrNs}}${attrLocal}`;
    if (expanded.has(key)) sc.fail(`duplicate attribute '${key}'`);
    expanded.add(key);
    attributes.push({ name: a.name, local: attrLocal, ns: attrNs, value: a.value });
  }
  return {
    name,
    rawAttrs,
    scope,
    element: { name, local, ns: ns ?? '', attributes, children: [], text: '' },
  };
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
