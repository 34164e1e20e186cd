// XML of the rating system ИАС МКГУ («Ваш контроль»): the served event the department registers and the
// batch of rates it receives. The public description (reference/feedback-loop.md §2) names the services
// (events, rates, package status) and their content but not a schema the project could check against, so
// UNCONFIRMED here: element and attribute names, the absence of a namespace, the indicator ids (the seed's
// criterion numbers 2.1–2.9 are used), the `next` cursor of a pulled page and the date format (ISO 8601 with
// offset). Everything else in the project reads only RatingCandidate, so a confirmed format changes this file.
import { escapeXmlAttr, escapeXmlText, getAttribute, parseXml, XmlElement, XmlParseError } from '../epgu';
import { MAX_BATCH_BYTES, MAX_BATCH_RATINGS, type ServedOutcome } from './ratingSchemas';

export interface ServedEventXml {
  /** The department's request id: the same on every retry, so a repeat registers nothing new. */
  requestId: string;
  applicationNumber: string;
  /** ФРГУ id of the service (serviceTargetCode) and the department's procedure (service code). */
  serviceId: string;
  procedureId: string;
  authorityInn: string;
  officeName?: string;
  servedAt: string;
  outcome: ServedOutcome;
  phone?: string;
  email?: string;
}

const el = (name: string, value: string | undefined) => (value === undefined ? '' : `<${name}>${escapeXmlText(value)}</${name}>`);

export function buildEventsXml(events: ServedEventXml[]): string {
  const body = events
    .map(
      (e) =>
        `<event id="${escapeXmlAttr(e.requestId)}">` +
        el('orderNumber', e.applicationNumber) +
        el('serviceId', e.serviceId) +
        el('procedureId', e.procedureId) +
        el('authorityInn', e.authorityInn) +
        el('office', e.officeName) +
        el('date', e.servedAt) +
        el('result', e.outcome) +
        el('mobilePhone', e.phone) +
        el('email', e.email) +
        `</event>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><events>${body}</events>`;
}

export class MkguFormatError extends Error {
  override readonly name = 'MkguFormatError';
}

/** One <rate> as read, before validation (values stay strings until zod checks them). */
export interface RatingCandidate {
  externalId: string;
  applicationNumber: string;
  ratedAt: string;
  criteria: Record<string, number>;
  comment?: string;
  /** Problems found while reading this rate (duplicate indicator, non-numeric value): it goes to quarantine. */
  readProblems: string[];
}

function childText(parent: XmlElement, local: string): string | undefined {
  const found = parent.children.filter((c) => c.local === local);
  if (found.length === 0) return undefined;
  return found[0]!.text;
}

/** Parses a rates page. The size is checked before the parser sees a byte; a malformed document throws. */
export function parseRatesXml(xml: string): { batchId?: string; next?: string; rates: RatingCandidate[] } {
  if (typeof xml !== 'string') throw new MkguFormatError('rates: body must be XML text');
  if (xml.length > MAX_BATCH_BYTES || Buffer.byteLength(xml, 'utf8') > MAX_BATCH_BYTES) {
    throw new MkguFormatError(`rates: document exceeds ${MAX_BATCH_BYTES} bytes (ask for smaller pages)`);
  }
  let root: XmlElement;
  try {
    root = parseXml(xml, { maxBytes: MAX_BATCH_BYTES, maxDepth: 8 });
  } catch (err) {
    if (err instanceof XmlParseError) throw new MkguFormatError(`rates: malformed XML: ${err.message}`);
    throw err;
  }
  if (root.local !== 'rates' || root.ns !== '') throw new MkguFormatError(`rates: root element must be <rates>, got <${root.name}>`);
  const rateEls = root.children.filter((c) => c.local === 'rate');
  if (rateEls.length > MAX_BATCH_RATINGS) throw new MkguFormatError(`rates: more than ${MAX_BATCH_RATINGS} rates in one page`);
  const rates = rateEls.map((r, i): RatingCandidate => {
    const readProblems: string[] = [];
    const criteria: Record<string, number> = {};
    for (const ind of r.children.filter((c) => c.local === 'indicator')) {
      const id = getAttribute(ind, 'id') ?? '';
      const text = ind.text.trim();
      if (Object.prototype.hasOwnProperty.call(criteria, id)) readProblems.push(`indicator ${id}: occurs more than once`);
      // A strict number: "5", not "5abc" or "", and bounded before conversion.
      criteria[id] = text.length <= 4 && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
    }
    const comment = childText(r, 'comment');
    return {
      externalId: getAttribute(r, 'id') ?? `(rate #${i + 1} without id)`,
      applicationNumber: (childText(r, 'orderNumber') ?? '').trim(),
      ratedAt: (childText(r, 'date') ?? '').trim(),
      criteria,
      ...(comment !== undefined && comment.trim() !== '' ? { comment } : {}),
      readProblems,
    };
  });
  return { batchId: getAttribute(root, 'batchId'), next: getAttribute(root, 'next'), rates };
}

export interface RateXml {
  externalId: string;
  applicationNumber: string;
  ratedAt: string;
  criteria: Record<string, number | string>;
  comment?: string;
}

/** Builds a rates page (the emulator's answer; tests and the demo use it to push batches). */
export function buildRatesXml(rates: RateXml[], opts: { batchId?: string; next?: string } = {}): string {
  const attrs = (opts.batchId ? ` batchId="${escapeXmlAttr(opts.batchId)}"` : '') + (opts.next ? ` next="${escapeXmlAttr(opts.next)}"` : '');
  const body = rates
    .map(
      (r) =>
        `<rate id="${escapeXmlAttr(r.externalId)}">` +
        el('orderNumber', r.applicationNumber) +
        el('date', r.ratedAt) +
        Object.entries(r.criteria)
          .map(([id, v]) => `<indicator id="${escapeXmlAttr(id)}">${escapeXmlText(String(v))}</indicator>`)
          .join('') +
        el('comment', r.comment) +
        `</rate>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><rates${attrs}>${body}</rates>`;
}

/** The events answer: the id of the package the events were accepted in. */
export function buildEventsAnswer(packageId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><eventsResponse><packageId>${escapeXmlText(packageId)}</packageId></eventsResponse>`;
}

export function parseEventsAnswer(xml: string): string {
  const root = parseXml(xml, { maxBytes: 64 * 1024 });
  const id = root.local === 'eventsResponse' ? childText(root, 'packageId')?.trim() : undefined;
  if (!id) throw new MkguFormatError('events answer: <eventsResponse><packageId> expected');
  return id;
}

/** Reads an events document (the emulator checks what the department sends, as the real service would). */
export function parseEventsXml(xml: string): ServedEventXml[] {
  const root = parseXml(xml, { maxBytes: 256 * 1024, maxDepth: 6 });
  if (root.local !== 'events') throw new MkguFormatError(`events: root element must be <events>, got <${root.name}>`);
  return root.children.map((e, i) => {
    const need = (name: string): string => {
      const v = childText(e, name)?.trim();
      if (!v) throw new MkguFormatError(`events: event #${i + 1}: <${name}> is required`);
      return v;
    };
    const requestId = getAttribute(e, 'id');
    if (e.local !== 'event' || !requestId) throw new MkguFormatError(`events: item #${i + 1} must be <event id="…">`);
    const outcome = need('result');
    if (!['resultIssued', 'refused', 'cancelled'].includes(outcome)) throw new MkguFormatError(`events: event #${i + 1}: <result> must be resultIssued, refused or cancelled`);
    const servedAt = need('date');
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(servedAt)) throw new MkguFormatError(`events: event #${i + 1}: <date> must be ISO 8601 with offset`);
    const phone = childText(e, 'mobilePhone')?.trim();
    const email = childText(e, 'email')?.trim();
    if (!phone && !email) throw new MkguFormatError(`events: event #${i + 1}: <mobilePhone> or <email> is required for the invitation to rate`);
    return {
      requestId,
      applicationNumber: need('orderNumber'),
      serviceId: need('serviceId'),
      procedureId: need('procedureId'),
      authorityInn: need('authorityInn'),
      officeName: childText(e, 'office'),
      servedAt,
      outcome: outcome as ServedOutcome,
      phone,
      email,
    };
  });
}
