import type { ElkCreateOrderInput, ElkRequestContext, ElkUpdateOrderInput } from '../../epgu';

export const CTX: ElkRequestContext = { env: 'SVCDEV', timeZone: 'Europe/Moscow' };
export const SENDER_INN = '7708123456';
export const SENDER_KPP = '770801001';
export const SERVICE_TARGET = '10000000421';

/** A realistic first status: application accepted in a department office, applicant identified by СНИЛС. */
export function createInput(overrides: Partial<ElkCreateOrderInput> = {}): ElkCreateOrderInput {
  return {
    orderNumber: 'ОБР-2026/000123',
    senderInn: SENDER_INN,
    senderKpp: SENDER_KPP,
    serviceTargetCode: SERVICE_TARGET,
    userSelectedRegion: '45000000',
    requestDate: '2026-03-05T07:12:40.501Z',
    office: {
      name: 'Отдел приёма документов № 2 «Южный»',
      address: 'г. Москва, ул. Тверская, д. 13',
      applicationAcceptance: 4,
    },
    applicant: {
      kind: 'person',
      lastName: 'Иванова',
      firstName: 'Мария',
      middleName: 'Сергеевна',
      snils: '112-233-445 95',
      citizenship: '643',
    },
    statusHistory: [{ status: 6, statusDate: '2026-03-05T07:15:00.123Z', messageType: 'ELK_ORDER_ACCEPTED' }],
    ...overrides,
  };
}

export function updateInput(status: number, statusDate: string, overrides: Partial<ElkUpdateOrderInput> = {}): ElkUpdateOrderInput {
  return {
    orderNumber: 'ОБР-2026/000123',
    senderInn: SENDER_INN,
    senderKpp: SENDER_KPP,
    status: { status, statusDate },
    ...overrides,
  };
}
