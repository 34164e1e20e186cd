// The status channel chooses what a status becomes: a ЕЛК order whose ApplicationAcceptance follows the channel
// (never guessed for a channel without a configured ЕСНСИ code), or a response to ЕПГУ's request built by the
// service's payload builder, the default one otherwise.
import { ElkContentError } from '../../activities/elkDelivery';
import { createElkChannel } from '../../activities/elkChannel';
import { parseElkOrderRequest, SmevAdapterClient } from '../../epgu';
import { parseDefaultEpguStatusReply } from '../../epgu/epguStatusReply';
import type { ElkDeliveryRequest } from '../../shared/lifecycle';
import { SAMPLE_PERSON, TEST_DEPARTMENT } from '../support/harness';

const client = new SmevAdapterClient({ baseUrl: 'http://127.0.0.1:9', itSystem: 'TEST_VIS' });
const request = (overrides: Partial<ElkDeliveryRequest> = {}): ElkDeliveryRequest => ({
  applicationNumber: 'CH-1',
  seq: 1,
  stage: 'received',
  elkStatus: 6,
  statusDate: '2026-03-05T10:00:00.000Z',
  requestType: 'CreateOrdersRequest',
  serviceTargetCode: '10000000421',
  channel: 'inPerson',
  receivedAt: '2026-03-05T09:00:00.000Z',
  applicant: { kind: 'person', ...SAMPLE_PERSON },
  serviceCode: 'archive-certificate',
  ...overrides,
});

it('ApplicationAcceptance follows the channel; a channel without a configured code is refused, naming the setting', () => {
  const configured = createElkChannel(client, { ...TEST_DEPARTMENT, applicationAcceptance: { mfc: 91 } }, { exchangeDir: '/nonexistent' });
  const acceptance = (ch: ElkDeliveryRequest['channel']) => {
    const view = parseElkOrderRequest(configured.buildXml(request({ channel: ch }), []));
    return view.kind === 'create' ? view.orders[0].officeInfo.ApplicationAcceptance : undefined;
  };
  expect(acceptance('inPerson')).toBe('4');
  expect(acceptance('mfc')).toBe('91');
  expect(() => configured.buildXml(request({ channel: 'post' }), [])).toThrow(ElkContentError);
  expect(() => configured.buildXml(request({ channel: 'post' }), [])).toThrow(/ELK_APPLICATION_ACCEPTANCE/);
  // Updates carry no OfficeInfo: no code needed.
  expect(() => configured.buildXml(request({ channel: 'post', requestType: 'UpdateOrdersRequest', seq: 2 }), [])).not.toThrow();
});

it('a status answered to ЕПГУ uses the service payload builder, or the documented default', () => {
  const epgu = { orderId: '4654000001', requestClientId: 'req-1' };
  const files = [{ fsUuid: '0b3a4c1e-1111-5222-8333-944455556666', docTypeId: 'ELK_RESULT' }];
  const channel = createElkChannel(client, TEST_DEPARTMENT, {
    exchangeDir: '/nonexistent',
    epguReplyBuilders: { 'construction-permit': (i) => `<custom order="${i.epguOrderId}" status="${i.elkStatus}"/>` },
  });
  const byDefault = parseDefaultEpguStatusReply(channel.buildEpguReply(request({ channel: 'epgu', epgu, elkStatus: 3 }), files));
  expect(byDefault).toEqual({ orderId: '4654000001', status: 3, statusDate: '2026-03-05T10:00:00.000Z', attachments: files });
  expect(channel.buildEpguReply(request({ channel: 'epgu', epgu, serviceCode: 'construction-permit' }), [])).toBe('<custom order="4654000001" status="6"/>');
});
