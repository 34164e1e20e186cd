import {
  buildElkCreateOrdersRequest,
  buildElkOrderResponse,
  buildElkUpdateOrdersRequest,
  ElkInputError,
  ElkXmlError,
  formatXsdDateTime,
  parseElkOrderRequest,
  parseElkOrderResponse,
  selectElkUserIdentity,
  validateAgainstElkXsd,
  ElkPersonApplicantSchema,
} from '../../epgu';
import { CTX, createInput, updateInput } from './fixtures';
import { nativeXmllint } from './helpers';

async function expectValidBoth(xml: string): Promise<void> {
  const wasm = await validateAgainstElkXsd(xml);
  expect(wasm).toEqual({ valid: true, errors: [] });
  const native = await nativeXmllint(xml);
  expect(native.stderr).toContain('validates');
  expect(native.code).toBe(0);
}

describe('ElkOrderRequest builders', () => {
  it('builds a Create request that validates against the XSD (xmllint-wasm and native xmllint)', async () => {
    const xml = buildElkCreateOrdersRequest(createInput(), CTX);
    expect(xml).toContain('<ElkOrderRequest xmlns="http://epgu.gosuslugi.ru/elk/status/1.0.2" env="SVCDEV">');
    expect(xml).toContain('<snils>112-233-445 95</snils>');
    expect(xml).toContain('<requestDate>2026-03-05T10:12:40.501+03:00</requestDate>');
    expect(xml).toContain('<statusDate>2026-03-05T10:15:00.123+03:00</statusDate>');
    await expectValidBoth(xml);
  });

  it('builds valid Create requests for every applicant variant, with params and attachments', async () => {
    const variants = [
      { kind: 'person' as const, lastName: 'Петров', firstName: 'Пётр', inn: '500100732259' },
      { kind: 'person' as const, lastName: 'Петров', firstName: 'Пётр', personalDoc: { docType: 1, series: '4509', number: '123456' } },
      { kind: 'person' as const, esiaId: '1000299353' },
      { kind: 'legalEntity' as const, ogrn: '1027700132195', title: 'ООО «Ромашка» & партнёры' },
      { kind: 'legalEntity' as const, inn: '7707083893', kpp: '773601001' },
      { kind: 'entrepreneur' as const, ogrn: '304500116000157', inn: '500100732259', lastName: 'Сидоров', firstName: 'Илья' },
    ];
    for (const applicant of variants) {
      const xml = buildElkCreateOrdersRequest(
        createInput({
          applicant,
          userSelectedRegion: '00000000',
          statusHistory: [
            { status: 1, statusDate: '2026-03-05T07:15:00Z', isInformed: false },
            {
              status: 3,
              statusDate: '2026-03-12T09:00:00.250Z',
              messageType: 'ELK_RESULT_READY',
              params: [{ name: 'resultNumber', value: '№ 77-12/345 <копия>' }],
              attachments: [
                { fsUuid: 'b819ee90-e8c3-11f1-a37c-c7119b08b1d6', docTypeId: 'ELK_RESULT' },
                { datamartUuid: 'dm-42', docTypeId: 'ELK_RESULT' },
              ],
            },
          ],
        }),
        { env: 'EPGU', timeZone: 'Asia/Vladivostok' },
      );
      await expectValidBoth(xml);
    }
  });

  it('builds valid Update requests keyed by orderNumber or by elkOrderNumber', async () => {
    const byNumber = buildElkUpdateOrdersRequest(updateInput(2, '2026-03-06T06:00:00Z'), CTX);
    expect(byNumber).toContain('<UpdateOrdersRequest><orders><order><orderNumber>ОБР-2026/000123</orderNumber>');
    expect(byNumber).toContain('<statusDate>2026-03-06T09:00:00.000+03:00</statusDate>');
    await expectValidBoth(byNumber);
    const byElk = buildElkUpdateOrdersRequest(
      updateInput(7, '2026-03-07T06:00:00+03:00', { orderNumber: undefined, elkOrderNumber: '4654266659', senderKpp: undefined }),
      CTX,
    );
    expect(byElk).toContain('<elkOrderNumber>4654266659</elkOrderNumber><senderInn>');
    await expectValidBoth(byElk);
  });

  it('escapes every text value and round-trips it', async () => {
    const tricky = `O'Brien & <Сын> "Ко"`;
    const xml = buildElkCreateOrdersRequest(
      createInput({
        office: { name: tricky, applicationAcceptance: 4 },
        applicant: { kind: 'person', lastName: tricky, firstName: 'А]]>Б', snils: '11223344595' },
        statusHistory: [{ status: 6, statusDate: '2026-03-05T07:15:00Z', params: [{ name: 'x', value: 'line1\r\nline2\ttab' }] }],
      }),
      CTX,
    );
    await expectValidBoth(xml);
    const view = parseElkOrderRequest(xml);
    expect(view.kind).toBe('create');
    if (view.kind !== 'create') throw new Error('unreachable');
    const order = view.orders[0]!;
    expect(order.officeInfo.OfficeName).toBe(tricky);
    expect(order.applicant).toEqual({
      user: { userDocSnils: { snils: '112-233-445 95', lastName: tricky, firstName: 'А]]>Б', citizenship: '643' } },
    });
    expect(order.statusHistory[0]!.params).toEqual([{ name: 'x', value: 'line1\r\nline2\ttab' }]);
  });

  it('rejects a bare-date statusDate, naming the field', () => {
    const input = createInput({ statusHistory: [{ status: 6, statusDate: '2026-03-05' }] });
    expect(() => buildElkCreateOrdersRequest(input, CTX)).toThrow(ElkInputError);
    expect(() => buildElkCreateOrdersRequest(input, CTX)).toThrow(/statusHistory\.0\.statusDate/);
    expect(() => buildElkUpdateOrdersRequest(updateInput(2, '2026-03-06'), CTX)).toThrow(/status\.statusDate/);
    // A local time without offset is ambiguous and rejected too.
    expect(() => buildElkUpdateOrdersRequest(updateInput(2, '2026-03-06T10:00:00'), CTX)).toThrow(/status\.statusDate/);
  });

  it('rejects a 37-character orderNumber, naming the field', () => {
    const orderNumber = 'A'.repeat(37);
    expect(() => buildElkCreateOrdersRequest(createInput({ orderNumber }), CTX)).toThrow(/orderNumber: must be at most 36/);
    expect(() => buildElkUpdateOrdersRequest(updateInput(2, '2026-03-06T06:00:00Z', { orderNumber }), CTX)).toThrow(/orderNumber/);
    expect(() => buildElkCreateOrdersRequest(createInput({ orderNumber: 'A'.repeat(36) }), CTX)).not.toThrow();
  });

  it('rejects other invalid inputs with field paths', () => {
    expect(() => buildElkCreateOrdersRequest(createInput({ senderInn: '77081234' }), CTX)).toThrow(/senderInn/);
    expect(() =>
      buildElkCreateOrdersRequest(createInput({ applicant: { kind: 'person', lastName: 'И', firstName: 'М', snils: '112-233-445 96' } }), CTX),
    ).toThrow(/applicant\.snils: checksum/);
    expect(() => buildElkCreateOrdersRequest(createInput({ applicant: { kind: 'person', lastName: 'И', firstName: 'М' } }), CTX)).toThrow(
      /applicant\.snils/,
    );
    expect(() => buildElkCreateOrdersRequest(createInput({ orderNumber: 'A\nB' }), CTX)).toThrow(/orderNumber: must not contain/);
    expect(() => buildElkCreateOrdersRequest(createInput({ office: { name: 'bad\u0001', applicationAcceptance: 4 } }), CTX)).toThrow(
      /office\.name: contains characters not allowed/,
    );
    expect(() => buildElkCreateOrdersRequest(createInput({ statusHistory: [] }), CTX)).toThrow(/statusHistory/);
    expect(() => buildElkCreateOrdersRequest(createInput(), { env: 'SVCDEV', timeZone: 'Mars/Olympus' })).toThrow(/timeZone/);
    expect(() => buildElkUpdateOrdersRequest(updateInput(2, '2026-03-06T06:00:00Z', { elkOrderNumber: '1' }), CTX)).toThrow(
      /exactly one of orderNumber or elkOrderNumber/,
    );
  });

  it('chooses the user identity by available data: СНИЛС, then ИНН, then document, then ЕСИА id', () => {
    const p = (x: object) => ElkPersonApplicantSchema.parse({ kind: 'person', ...x });
    const names = { lastName: 'И', firstName: 'М' };
    expect(selectElkUserIdentity(p({ ...names, snils: '11223344595', inn: '500100732259', esiaId: '1' })).element).toBe('userDocSnils');
    expect(selectElkUserIdentity(p({ ...names, inn: '500100732259', esiaId: '1' })).element).toBe('userDocInn');
    expect(selectElkUserIdentity(p({ ...names, personalDoc: { docType: 1, number: '1' }, esiaId: '1' })).element).toBe('userPersonalDoc');
    expect(selectElkUserIdentity(p({ snils: '11223344595', esiaId: '1' })).element).toBe('EsiaId');
  });
});

describe('formatXsdDateTime', () => {
  it.each([
    ['2026-03-05T11:00:00.123Z', 'Europe/Moscow', '2026-03-05T14:00:00.123+03:00'],
    ['2026-03-05T22:30:00Z', 'Asia/Vladivostok', '2026-03-06T08:30:00.000+10:00'],
    ['2026-01-15T12:00:00Z', 'Europe/Berlin', '2026-01-15T13:00:00.000+01:00'],
    ['2026-07-15T12:00:00Z', 'Europe/Berlin', '2026-07-15T14:00:00.000+02:00'],
    ['2026-07-15T12:00:00Z', 'America/St_Johns', '2026-07-15T09:30:00.000-02:30'],
    ['2026-03-05T00:00:00+05:30', 'Asia/Kolkata', '2026-03-05T00:00:00.000+05:30'],
    ['2026-12-31T23:59:59.999Z', 'UTC', '2026-12-31T23:59:59.999+00:00'],
    ['2010-06-01T12:00:00Z', 'Europe/Moscow', '2010-06-01T16:00:00.000+04:00'],
  ])('%s in %s -> %s', (instant, tz, expected) => {
    expect(formatXsdDateTime(instant, tz)).toBe(expected);
  });
});

describe('parseElkOrderResponse', () => {
  const NS = 'http://epgu.gosuslugi.ru/elk/status/1.0.2';

  it('reads a Create response with a prefixed namespace, whitespace and comments', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!-- captured from SVCDEV -->
<ns0:ElkOrderResponse xmlns:ns0="${NS}">
  <ns0:CreateOrdersResponse>
    <ns0:code>11</ns0:code>
    <ns0:message>Completed with errors</ns0:message>
    <ns0:orders>
      <ns0:order><ns0:elkOrderNumber>4654266659</ns0:elkOrderNumber><ns0:orderNumber>A-1</ns0:orderNumber><ns0:status>0</ns0:status><ns0:message>OK</ns0:message></ns0:order>
      <ns0:order><ns0:orderNumber>A-2</ns0:orderNumber><ns0:status>34</ns0:status><ns0:message>Order already exists</ns0:message></ns0:order>
    </ns0:orders>
  </ns0:CreateOrdersResponse>
</ns0:ElkOrderResponse>`;
    expect(parseElkOrderResponse(xml)).toEqual({
      kind: 'create',
      code: 11,
      message: 'Completed with errors',
      orders: [
        { orderNumber: 'A-1', elkOrderNumber: '4654266659', status: 0, message: 'OK' },
        { orderNumber: 'A-2', status: 34, message: 'Order already exists' },
      ],
    });
  });

  it('round-trips buildElkOrderResponse, and the built response is XSD-valid', async () => {
    const response = {
      kind: 'update' as const,
      code: 0,
      message: 'OK',
      orders: [{ orderNumber: 'ОБР-2026/000123', elkOrderNumber: '9223372036854775807', status: 0, message: 'OK' }],
    };
    const xml = buildElkOrderResponse(response);
    expect(parseElkOrderResponse(xml)).toEqual(response);
    await expectValidBoth(xml);
  });

  it('rejects a wrong namespace', () => {
    const xml = `<ElkOrderResponse xmlns="http://epgu.gosuslugi.ru/elk/status/1.0.1"><UpdateOrdersResponse><code>0</code><message>OK</message><orders><order><elkOrderNumber>1</elkOrderNumber><status>0</status><message>OK</message></order></orders></UpdateOrdersResponse></ElkOrderResponse>`;
    expect(() => parseElkOrderResponse(xml)).toThrow(ElkXmlError);
    expect(() => parseElkOrderResponse(xml)).toThrow(/expected root element \{http:\/\/epgu\.gosuslugi\.ru\/elk\/status\/1\.0\.2\}ElkOrderResponse/);
    // Right root, but an inner element from another namespace.
    const mixed = `<r:ElkOrderResponse xmlns:r="${NS}"><r:UpdateOrdersResponse><code>0</code></r:UpdateOrdersResponse></r:ElkOrderResponse>`;
    expect(() => parseElkOrderResponse(mixed)).toThrow(/namespace/);
  });

  it('rejects malformed XML', () => {
    for (const bad of [
      '',
      'not xml at all',
      `<ElkOrderResponse xmlns="${NS}"><CreateOrdersResponse><code>0</code>`,
      `<ElkOrderResponse xmlns="${NS}"><code>0</wrong></ElkOrderResponse>`,
      `<ElkOrderResponse xmlns="${NS}" a="1" a="2"/>`,
      `<x:ElkOrderResponse/>`,
      `<ElkOrderResponse xmlns="${NS}">&unknown;</ElkOrderResponse>`,
      `<ElkOrderResponse xmlns="${NS}"/><second/>`,
    ]) {
      expect(() => parseElkOrderResponse(bad)).toThrow(ElkXmlError);
      expect(() => parseElkOrderResponse(bad)).toThrow(/malformed/);
    }
  });

  it('refuses DOCTYPE (no entity expansion)', () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><ElkOrderResponse xmlns="${NS}">&b;</ElkOrderResponse>`;
    expect(() => parseElkOrderResponse(xml)).toThrow(/DOCTYPE/);
  });

  it('rejects oversized input before parsing', () => {
    const filler = 'x'.repeat(1024 * 1024);
    const xml = `<ElkOrderResponse xmlns="${NS}"><!--${filler}--></ElkOrderResponse>`;
    expect(() => parseElkOrderResponse(xml)).toThrow(/exceeds 1048576 bytes/);
    // Multi-byte characters count as bytes, not UTF-16 units.
    const cyr = `<ElkOrderResponse xmlns="${NS}"><!--${'ж'.repeat(600 * 1024)}--></ElkOrderResponse>`;
    expect(() => parseElkOrderResponse(cyr)).toThrow(/exceeds/);
  });

  it('rejects unknown shapes with a clear error', () => {
    const unknownChild = `<ElkOrderResponse xmlns="${NS}"><CreateOrdersResponse><code>0</code><message>OK</message><extra>1</extra><orders><order><orderNumber>A</orderNumber><status>0</status><message>OK</message></order></orders></CreateOrdersResponse></ElkOrderResponse>`;
    expect(() => parseElkOrderResponse(unknownChild)).toThrow(/unexpected ElkOrderResponse shape/);
    const notShort = `<ElkOrderResponse xmlns="${NS}"><CreateOrdersResponse><code>zero</code><message>OK</message><orders><order><orderNumber>A</orderNumber><status>0</status><message>OK</message></order></orders></CreateOrdersResponse></ElkOrderResponse>`;
    expect(() => parseElkOrderResponse(notShort)).toThrow(/CreateOrdersResponse\/code: must be an xsd:short/);
    const noOrders = `<ElkOrderResponse xmlns="${NS}"><CreateOrdersResponse><code>0</code><message>OK</message></CreateOrdersResponse></ElkOrderResponse>`;
    expect(() => parseElkOrderResponse(noOrders)).toThrow(/CreateOrdersResponse\/orders: /);
    const request = buildElkUpdateOrdersRequest(updateInput(2, '2026-03-06T06:00:00Z'), CTX);
    expect(() => parseElkOrderResponse(request)).toThrow(/got \{http:\/\/epgu\.gosuslugi\.ru\/elk\/status\/1\.0\.2\}ElkOrderRequest/);
  });
});
