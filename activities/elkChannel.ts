// Wires the ЕЛК message format, the ЕПГУ status responses and the SMEV adapter client (epgu/) into the status
// channel the delivery activity uses.
import { buildElkCreateOrdersRequest, buildElkUpdateOrdersRequest, ElkApplicant, ElkEnv } from '../epgu';
import { defaultEpguStatusReply, EpguStatusReplyBuilder } from '../epgu';
import { placeInExchangeFolder, removeFromExchangeFolder } from '../epgu';
import { SmevAdapterClient, SmevTransportError } from '../epgu';
import { validateAgainstElkXsd } from '../epgu';
import type { Applicant, Channel, ElkDeliveryRequest } from '../shared';
import { ElkContentError, type ElkChannel } from './elkDelivery';

/**
 * ЕСНСИ 7213 «ЕЛК.Канал приема заявления» per channel. Only 4 («Подразделение ведомства», in person) is confirmed
 * (epgu-elk.md §1.1); the codes for МФЦ, post and the department's site must be configured from the classifier
 * (ELK_APPLICATION_ACCEPTANCE). A channel without a code is not guessed: its status becomes a delivery problem
 * that names the missing setting. ЕПГУ-origin applications never send OfficeInfo (no CreateOrdersRequest).
 */
export const DEFAULT_APPLICATION_ACCEPTANCE: Partial<Record<Channel, number>> = { inPerson: 4 };

export interface DepartmentIdentity {
  senderInn: string;
  senderKpp?: string;
  timeZone: string;
  elkEnv: ElkEnv;
  /** OKTMO for applications filed in person; electronic ones use '00000000' as ЕЛК requires. */
  oktmo: string;
  officeName?: string;
  /** ЕСНСИ «ЕЛК.Канал приема заявления» per channel, over DEFAULT_APPLICATION_ACCEPTANCE. */
  applicationAcceptance?: Partial<Record<Channel, number>>;
}

export interface StatusChannelOptions {
  /** The adapter's exchange folder, where attachment files are placed for pickup. */
  exchangeDir: string;
  /** Payload builders for statuses answered to ЕПГУ, per service code; others use defaultEpguStatusReply. */
  epguReplyBuilders?: Record<string, EpguStatusReplyBuilder>;
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

export function createElkChannel(client: SmevAdapterClient, dept: DepartmentIdentity, options: StatusChannelOptions): ElkChannel {
  const context = { env: dept.elkEnv, timeZone: dept.timeZone };
  const sender = { senderInn: dept.senderInn, ...(dept.senderKpp ? { senderKpp: dept.senderKpp } : {}) };
  const acceptance = { ...DEFAULT_APPLICATION_ACCEPTANCE, ...dept.applicationAcceptance };
  return {
    buildXml(req: ElkDeliveryRequest, attachments): string {
      const status = {
        status: req.elkStatus,
        statusDate: req.statusDate,
        ...(req.messageType ? { messageType: req.messageType, params: req.params ?? [] } : {}),
        ...(attachments.length > 0 ? { attachments } : {}),
      };
      if (req.requestType === 'CreateOrdersRequest') {
        const applicationAcceptance = acceptance[req.channel];
        if (applicationAcceptance === undefined) {
          throw new ElkContentError(
            'ApplicationAcceptanceNotConfigured',
            `не задан код ЕСНСИ «ЕЛК.Канал приема заявления» для канала ${req.channel}: укажите его в ELK_APPLICATION_ACCEPTANCE ` +
              `(no ApplicationAcceptance code configured for channel ${req.channel})`,
          );
        }
        return buildElkCreateOrdersRequest(
          {
            orderNumber: req.applicationNumber,
            ...sender,
            serviceTargetCode: req.serviceTargetCode,
            userSelectedRegion: req.channel === 'epgu' ? '00000000' : dept.oktmo,
            requestDate: req.receivedAt,
            office: {
              ...(req.officeName ?? dept.officeName ? { name: req.officeName ?? dept.officeName } : {}),
              applicationAcceptance,
            },
            applicant: toElkApplicant(req.applicant),
            statusHistory: [status],
          },
          context,
        );
      }
      return buildElkUpdateOrdersRequest({ orderNumber: req.applicationNumber, ...sender, status }, context);
    },
    buildEpguReply(req: ElkDeliveryRequest, attachments): string {
      const build = (req.serviceCode && options.epguReplyBuilders?.[req.serviceCode]) || defaultEpguStatusReply;
      return build({
        epguOrderId: req.epgu!.orderId,
        applicationNumber: req.applicationNumber,
        serviceCode: req.serviceCode ?? '',
        elkStatus: req.elkStatus,
        statusDate: req.statusDate,
        attachments,
      });
    },
    placeFile: (fsUuid, fileName, bytes) => placeInExchangeFolder(options.exchangeDir, fsUuid, fileName, bytes),
    removeFile: (fsUuid) => removeFromExchangeFolder(options.exchangeDir, fsUuid),
    validateXml: validateAgainstElkXsd,
    send: (clientId, xml, attachments) => client.send({ clientId, content: xml, attachments }),
    sendReply: (clientId, replyToClientId, xml, attachments) => client.sendResponse({ clientId, replyToClientId, content: xml, attachments }),
    findReply: (clientId) => client.findResponse(clientId),
    isTransient: (err) => err instanceof SmevTransportError,
  };
}
