/**
 * Statuses of an application filed on ЕПГУ go back as responses to ЕПГУ's original SMEV request
 * (replyToClientId), in the service's own вид сведений — never as a ЕЛК CreateOrdersRequest, which would make a
 * second order in the cabinet (epgu-elk.md §0, §2.3). Each service's вид сведений has its own response schema, so
 * the payload is built by a builder the department configures per service; this module is the default.
 *
 * Default payload (this plugin's namespace; the element names follow the `changeOrderInfo` responses seen in
 * departments' own вид сведений, whose exact structure is unconfirmed — replace it per service where the
 * registered schema differs):
 *   <changeOrderInfo xmlns="urn://case-lifecycle/epgu/change-order-info/1.0.0">
 *     <orderId>ЕПГУ order id</orderId>
 *     <statusCode><techCode>ЕЛК status code</techCode></statusCode>
 *     <statusDate>xsd:dateTime</statusDate>
 *     <attachment><FSuuid>…</FSuuid><docTypeId>…</docTypeId></attachment>*
 *   </changeOrderInfo>
 */
import { escapeXmlText, parseXml, XmlElement } from './xmlReader';

export const EPGU_STATUS_REPLY_NS = 'urn://case-lifecycle/epgu/change-order-info/1.0.0';
const MAX_REPLY_XML_BYTES = 64 * 1024;

export interface EpguStatusReplyInput {
  epguOrderId: string;
  applicationNumber: string;
  serviceCode: string;
  elkStatus: number;
  /** ISO 8601 instant. */
  statusDate: string;
  attachments: { fsUuid: string; docTypeId: string }[];
}

/** Builds the business content (XML) of one status response; chosen per service by the department. */
export type EpguStatusReplyBuilder = (input: EpguStatusReplyInput) => string;

export const defaultEpguStatusReply: EpguStatusReplyBuilder = (input) =>
  `<changeOrderInfo xmlns="${EPGU_STATUS_REPLY_NS}">` +
  `<orderId>${escapeXmlText(input.epguOrderId)}</orderId>` +
  `<statusCode><techCode>${input.elkStatus}</techCode></statusCode>` +
  `<statusDate>${escapeXmlText(input.statusDate)}</statusDate>` +
  input.attachments.map((a) => `<attachment><FSuuid>${escapeXmlText(a.fsUuid)}</FSuuid><docTypeId>${escapeXmlText(a.docTypeId)}</docTypeId></attachment>`).join('') +
  `</changeOrderInfo>`;

export interface EpguStatusReplyView {
  orderId: string;
  status: number;
  statusDate: string;
  attachments: { fsUuid: string; docTypeId: string }[];
}

/** Reads a default-format payload (the emulator uses it); throws with the element at fault. */
export function parseDefaultEpguStatusReply(xml: string): EpguStatusReplyView {
  const root = parseXml(xml, { maxBytes: MAX_REPLY_XML_BYTES });
  if (root.ns !== EPGU_STATUS_REPLY_NS || root.local !== 'changeOrderInfo') {
    throw new Error(`root element must be {${EPGU_STATUS_REPLY_NS}}changeOrderInfo`);
  }
  const child = (parent: XmlElement, local: string): XmlElement => {
    const found = parent.children.find((c) => c.ns === EPGU_STATUS_REPLY_NS && c.local === local);
    if (!found) throw new Error(`${parent.local}/${local} is required`);
    return found;
  };
  const orderId = child(root, 'orderId').text.trim();
  const code = child(child(root, 'statusCode'), 'techCode').text.trim();
  if (!/^-?\d{1,4}$/.test(code)) throw new Error('statusCode/techCode must be an integer');
  const statusDate = child(root, 'statusDate').text.trim();
  if (!orderId || orderId.length > 50) throw new Error('orderId: 1..50 characters');
  const attachments = root.children
    .filter((c) => c.ns === EPGU_STATUS_REPLY_NS && c.local === 'attachment')
    .map((a) => ({ fsUuid: child(a, 'FSuuid').text.trim(), docTypeId: child(a, 'docTypeId').text.trim() }));
  return { orderId, status: Number(code), statusDate, attachments };
}
