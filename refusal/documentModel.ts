/**
 * Format-neutral document model.
 *
 * Templates are rendered once (Handlebars with noEscape) into a string whose structure is marked with
 * private-use sentinel characters emitted only by the structural helpers ({{#p}}, {{#h2}}, {{#b}}…).
 * That string is parsed into blocks and serialised to plain text, HTML and pdfmake content, so the
 * three outputs cannot drift apart and HTML escaping happens in exactly one place (toHtml).
 * User data cannot forge sentinels: every string reaching a template is validated by isPlainText,
 * which rejects the private-use range.
 */

export const BLOCK_TYPES = ['header', 'addressee', 'date', 'title', 'subtitle', 'h2', 'p', 'li', 'sign'] as const;
export type BlockType = (typeof BLOCK_TYPES)[number];

const S_OPEN = '\uE000';
const S_OPEN_END = '\uE001';
const S_CLOSE = '\uE002';
const S_BR = '\uE003';
const S_BOLD_ON = '\uE004';
const S_BOLD_OFF = '\uE005';

export const markup = {
  block: (type: BlockType, inner: string): string => `${S_OPEN}${type}${S_OPEN_END}${inner}${S_CLOSE}`,
  br: S_BR,
  bold: (inner: string): string => `${S_BOLD_ON}${inner}${S_BOLD_OFF}`,
};

export interface Span {
  text: string;
  bold: boolean;
}
/** A block is a list of lines; a line is a list of spans. */
export interface Block {
  type: BlockType;
  lines: Span[][];
}

export class DocumentMarkupError extends Error {
  override readonly name = 'DocumentMarkupError';
}

const BLOCK_RE = new RegExp(`${S_OPEN}([a-z0-9]+)${S_OPEN_END}([^${S_OPEN}${S_CLOSE}]*)${S_CLOSE}`, 'gu');

export function parseMarkup(rendered: string): Block[] {
  const blocks: Block[] = [];
  let last = 0;
  for (const m of rendered.matchAll(BLOCK_RE)) {
    assertOnlyWhitespace(rendered.slice(last, m.index));
    last = m.index + m[0].length;
    const type = m[1] as BlockType;
    if (!(BLOCK_TYPES as readonly string[]).includes(type)) throw new DocumentMarkupError(`Unknown block type "${type}"`);
    const lines = parseInline(m[2]);
    if (lines.length > 0) blocks.push({ type, lines });
  }
  assertOnlyWhitespace(rendered.slice(last));
  return blocks;
}

function assertOnlyWhitespace(between: string): void {
  // Text outside any block would silently vanish from every format: a template bug, caught at start-up.
  if (between.trim() !== '') {
    throw new DocumentMarkupError(
      `Text outside a block (wrap it in {{#p}}…{{/p}}) or nested blocks: ${JSON.stringify(visible(between).slice(0, 80))}`,
    );
  }
}

function visible(s: string): string {
  return s.replace(/[\uE000-\uE005]/g, '¤');
}

function parseInline(inner: string): Span[][] {
  const lines: Span[][] = [];
  for (const rawLine of inner.split(S_BR)) {
    const spans: Span[] = [];
    let bold = false;
    for (const piece of rawLine.split(/(\uE004|\uE005)/u)) {
      if (piece === S_BOLD_ON || piece === S_BOLD_OFF) {
        const wantBold = piece === S_BOLD_ON;
        if (wantBold === bold) throw new DocumentMarkupError('Unbalanced {{#b}} markup');
        bold = wantBold;
        continue;
      }
      // Template source is free-form (indentation, line breaks); layout is decided by the block type.
      // «…5 июня 2026 г.» at the end of a sentence must not get a second period («г..»); a real
      // ellipsis («...») is left alone.
      const text = piece.replace(/\s+/gu, ' ').replace(/(?<!\.)\.\.(?!\.)/gu, '.');
      if (text !== '') spans.push({ text, bold });
    }
    if (bold) throw new DocumentMarkupError('Unclosed {{#b}} markup');
    trimSpans(spans);
    if (spans.length > 0) lines.push(spans);
  }
  return lines;
}

function trimSpans(spans: Span[]): void {
  while (spans.length && spans[0].text.trimStart() === '') spans.shift();
  while (spans.length && spans[spans.length - 1].text.trimEnd() === '') spans.pop();
  if (spans.length === 0) return;
  spans[0] = { ...spans[0], text: spans[0].text.trimStart() };
  const end = spans.length - 1;
  spans[end] = { ...spans[end], text: spans[end].text.trimEnd() };
}

const lineText = (line: Span[]): string => line.map((s) => s.text).join('');

// --- plain text ----------------------------------------------------------------------------------

/** Plain text: blocks separated by a blank line, list items by a single line break; no hard wrapping. */
export function toPlainText(blocks: Block[]): string {
  let out = '';
  blocks.forEach((block, i) => {
    const prev = blocks[i - 1]?.type;
    const tight = (block.type === 'li' && prev === 'li') || (block.type === 'subtitle' && prev === 'title');
    if (i > 0) out += tight ? '\n' : '\n\n';
    const lines = block.lines.map(lineText);
    out += block.type === 'li' ? `— ${lines.join('\n  ')}` : lines.join('\n');
  });
  return `${out}\n`;
}

// --- HTML ----------------------------------------------------------------------------------------

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const spanHtml = (s: Span): string => (s.bold ? `<strong>${escapeHtml(s.text)}</strong>` : escapeHtml(s.text));
const linesHtml = (lines: Span[][]): string => lines.map((l) => l.map(spanHtml).join('')).join('<br>\n');

const HTML_TAG: Record<Exclude<BlockType, 'li'>, string> = {
  header: '<div class="header">',
  addressee: '<div class="addressee">',
  date: '<p class="date">',
  title: '<h1>',
  subtitle: '<p class="subtitle">',
  h2: '<h2>',
  p: '<p>',
  sign: '<div class="sign">',
};

const HTML_STYLE = [
  'body{font-family:"Times New Roman",Roboto,serif;font-size:14px;line-height:1.45;max-width:46em;margin:2em auto;padding:0 1em;color:#000}',
  '.header{font-size:12px}',
  '.addressee{margin:1.5em 0 1.5em 55%}',
  'h1{font-size:16px;text-align:center;margin:1.5em 0 0}',
  '.subtitle{text-align:center;font-weight:bold;margin-top:.2em}',
  'h2{font-size:14px;margin:1.4em 0 .4em}',
  'p{text-align:justify;margin:.4em 0}',
  '.sign{margin-top:2.5em}',
].join('\n');

export function toHtmlDocument(blocks: Block[], title: string): string {
  const body: string[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    if (block.type === 'li') {
      const items: string[] = [];
      while (i < blocks.length && blocks[i].type === 'li') items.push(`<li>${linesHtml(blocks[i++].lines)}</li>`);
      i--;
      body.push(`<ul>\n${items.join('\n')}\n</ul>`);
      continue;
    }
    const open = HTML_TAG[block.type];
    const close = `</${open.slice(1, open.search(/[ >]/))}>`;
    body.push(`${open}${linesHtml(block.lines)}${close}`);
  }
  return [
    '<!DOCTYPE html>',
    '<html lang="ru">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>\n${HTML_STYLE}\n</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

// --- pdfmake content -------------------------------------------------------------------------------

export type PdfInline = string | { text: string; bold?: boolean };
export type PdfNode = Record<string, unknown>;

/**
 * Law numbers («210-ФЗ», «125-ФЗ», «59-ФЗ») keep their hyphen unbroken: the line breaker may split after a
 * hyphen-minus, and pdftotext then extracts «210- ФЗ», which no search finds. U+2011 NON-BREAKING HYPHEN is in the
 * embedded Roboto (regular and medium); only the PDF rendition uses it, text and HTML keep the ASCII hyphen.
 */
export function unbreakableNorms(text: string): string {
  return text.replace(/(\d)-(?=\p{Lu})/gu, '$1\u2011');
}

function pdfText(lines: Span[][]): PdfInline[] {
  const out: PdfInline[] = [];
  lines.forEach((line, i) => {
    if (i > 0) out.push('\n');
    for (const s of line) {
      const text = unbreakableNorms(s.text);
      out.push(s.bold ? { text, bold: true } : text);
    }
  });
  return out;
}

const PDF_STYLE: Record<Exclude<BlockType, 'li'>, PdfNode> = {
  header: { fontSize: 10, margin: [0, 0, 0, 6] },
  addressee: { margin: [270, 14, 0, 14] },
  date: { margin: [0, 0, 0, 10] },
  title: { bold: true, fontSize: 13, alignment: 'center', margin: [0, 10, 0, 0] },
  subtitle: { bold: true, alignment: 'center', margin: [0, 2, 0, 10] },
  h2: { bold: true, margin: [0, 10, 0, 4] },
  p: { alignment: 'justify', margin: [0, 0, 0, 5] },
  sign: { margin: [0, 24, 0, 0] },
};

export function toPdfContent(blocks: Block[]): PdfNode[] {
  const content: PdfNode[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    if (block.type === 'li') {
      const items: PdfNode[] = [];
      while (i < blocks.length && blocks[i].type === 'li') items.push({ text: pdfText(blocks[i++].lines) });
      i--;
      content.push({ ul: items, margin: [10, 0, 0, 5] });
      continue;
    }
    content.push({ text: pdfText(block.lines), ...PDF_STYLE[block.type] });
  }
  return content;
}
