// Wires the ЕЛК message format and the SMEV adapter client (epgu/) into the ElkChannel the delivery activity uses.
import { buildElkCreateOrdersRequest, buildElkUpdateOrdersRequest, ElkApplicant, ElkEnv } from '../epgu';
import { SmevAdapterClient, SmevTransportError } from '../epgu';
import { validateAgainstElkXsd } from '../epgu';
import type { Applicant, Channel } from '../shared/application';
import type { ElkDeliveryRequest } from '../shared/lifecycle';
import type { ElkChannel, ElkReply } from './elkDelivery';

export interface DepartmentIdentity {
  senderInn: string;
  senderKpp?: string;
  timeZone: string;
  elkEnv: ElkEnv;
  /** OKTMO for applications filed in person; electronic ones use '00000000' as ЕЛК requires. */
  oktmo: string;
  officeName?: string;
  /** ЕСНСИ «ЕЛК.Канал приема заявления» per channel. 4 = «Подразделение ведомства». */
  applicationAcceptance?: Partial<Record<Channel, number>>;
}

function toElkApplicant(a: Applicant): ElkApplicant {
  if (a.kind === 'organization') {
    return a.ogrn.startsWith('3')
      ? { kind: 'entrepreneur', ogrn: a.ogrn, inn: a.inn }
      : { kind: 'legalEntity', ogrn: a.ogrn, inn: a.inn, ...(a.kpp ? { kpp: a.kpp } : {}), title: a.title };
  }
  return {
    kind: 'person',
    lastName: a.lastName,
    firstName: a.firstName,
    ...(a.middleName ? { middleName: a.middleName } : {}),
    ...(a.snils ? { snils: a.snils } : {}),
    ...(a.inn ? { inn: a.inn } : {}),
    ...(a.passport ? { personalDoc: { docType: 1, series: a.passport.series, number: a.passport.number } } : {}),
  };
}

export function createElkChannel(client: SmevAdapterClient, dept: DepartmentIdentity): ElkChannel {
  const context = { env: dept.elkEnv, timeZone: dept.timeZone };
  const sender = { senderInn: dept.senderInn, ...(dept.senderKpp ? { senderKpp: dept.senderKpp } : {}) };
  return {
    buildXml(req: ElkDeliveryRequest): string {
      const status = {
        status: req.elkStatus,
        statusDate: req.statusDate,
        ...(req.attachment ? { attachments: [{ fsUuid: req.attachment.fsUuid, docTypeId: req.attachment.docTypeId }] } : {}),
      };
      if (req.requestType === 'CreateOrdersRequest') {
        return buildElkCreateOrdersRequest(
          {
            orderNumber: req.applicationNumber,
            ...sender,
            serviceTargetCode: req.serviceTargetCode,
            userSelectedRegion: req.channel === 'epgu' ? '00000000' : dept.oktmo,
            requestDate: req.receivedAt,
            office: {
              ...(req.officeName ?? dept.officeName ? { name: req.officeName ?? dept.officeName } : {}),
              applicationAcceptance: dept.applicationAcceptance?.[req.channel] ?? 4,
            },
            applicant: toElkApplicant(req.applicant),
            statusHistory: [status],
          },
          context,
        );
      }
      return buildElkUpdateOrdersRequest({ orderNumber: req.applicationNumber, ...sender, status }, context);
    },
    validateXml: validateAgainstElkXsd,
    send: (clientId, xml) => client.send({ clientId, content: xml }),
    async findReply(clientId): Promise<ElkReply | null> {
      const reply = await client.findResponse(clientId);
      if (!reply) return null;
      if (reply.kind === 'rejected') return { kind: 'rejected', code: reply.code, description: reply.description };
      const order = reply.response.orders[0];
      if (!order) return { kind: 'rejected', code: String(reply.response.code), description: reply.response.message };
      return {
        kind: 'elk',
        orderStatus: order.status,
        message: order.message,
        ...(order.elkOrderNumber ? { elkOrderNumber: String(order.elkOrderNumber) } : {}),
      };
    },
    isTransient: (err) => err instanceof SmevTransportError,
  };
}
