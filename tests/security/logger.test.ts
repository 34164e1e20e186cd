// The masking logger: each kind of personal value is masked in messages, in fields at any depth, in
// errors, and through the Temporal Logger adapter; ids and dates that merely look numeric survive.
import { Writable } from 'node:stream';
import { createLogger, maskDeep, maskPersonalData, MAX_LOGGED_STRING, temporalLoggerFrom } from '../../security/logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, stream, parsed: () => lines.map((l) => JSON.parse(l)) };
}

describe('maskPersonalData', () => {
  it.each([
    ['СНИЛС with separators', 'СНИЛС 112-233-445 95 принят', 'СНИЛС *** принят'],
    ['СНИЛС with hyphens only', 'snils=112-233-445-95;', 'snils=***;'],
    ['СНИЛС with spaces', '112 233 445 95', '***'],
    ['СНИЛС as 11 digits', 'x:11223344595.', 'x:***.'],
    ['passport with spaces', 'паспорт 45 10 739184 выдан', 'паспорт *** выдан'],
    ['passport series+number', 'паспорт 4510 739184', 'паспорт ***'],
    ['passport as 10 digits', '4510739184', '***'],
    ['phone +7 compact', 'тел. +79031112233', 'тел. ***'],
    ['phone +7 formatted', 'тел. +7 (903) 111-22-33, звонить', 'тел. ***, звонить'],
    ['phone 8 formatted', '8 903 111 22 33', '***'],
    ['phone 8 compact', '89031112233', '***'],
    ['e-mail local part', 'почта ivan.zagorulko+test@mail.example.ru', 'почта ***@mail.example.ru'],
    ['Cyrillic e-mail', 'иван@почта.рф', '***@почта.рф'],
  ])('masks %s', (_kind, input, expected) => {
    expect(maskPersonalData(input)).toBe(expected);
  });

  it.each([
    ['an application number', 'заявление 2026-000123 зарегистрировано'],
    ['an ISO date', 'срок 2026-03-05'],
    ['an ISO instant', '2026-03-05T10:00:00.123+03:00'],
    ['a UUID', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'],
    ['a test application number', 'APP-12345-987654-17'],
    ['a 13-digit ОГРН', 'ОГРН 1027700132195'],
    ['a millisecond timestamp', 't=1767225600000'],
  ])('leaves %s alone', (_kind, text) => {
    expect(maskPersonalData(text)).toBe(text);
  });
});

describe('maskDeep', () => {
  it('masks nested strings, personal fields by name, errors and their causes', () => {
    const err = new Error('СНИЛС 112-233-445 95 не прошёл проверку', { cause: new Error('тел. +79031112233') });
    const out = maskDeep({
      a: { b: ['112-233-445 95', { c: 'mail a.b@x.ru' }] },
      applicant: { lastName: 'Загорулько', firstName: 'Евлампий', passport: { series: '4510', number: '739184' } },
      err,
      count: 11223344595,
    }) as any;
    expect(out.a.b[0]).toBe('***');
    expect(out.a.b[1].c).toBe('mail ***@x.ru');
    expect(out.applicant).toEqual({ lastName: '***', firstName: '***', passport: '***' });
    expect(out.err.message).toBe('СНИЛС *** не прошёл проверку');
    expect(out.err.stack).not.toContain('112-233-445');
    expect(out.err.cause.message).toBe('тел. ***');
    const self: any = { s: '4510 739184' };
    self.self = self;
    expect(maskDeep(self)).toEqual({ s: '***', self: '[Circular]' });
  });
});

describe('createLogger and temporalLoggerFrom', () => {
  it('writes JSON lines with masked messages, fields and bindings', () => {
    const out = capture();
    const log = createLogger({ level: 'debug', destination: out.stream });
    log.info({ applicationNumber: '2026-000123', detail: { phone: '+7 903 111-22-33', note: 'звонить +79031112233' } }, 'СНИЛС %s', '112-233-445 95');
    log.child({ who: 'ivan@example.ru' }).warn('passport 4510 739184');
    const [first, second] = out.parsed();
    expect(first).toMatchObject({ level: 'info', msg: 'СНИЛС ***', applicationNumber: '2026-000123', detail: { phone: '***', note: 'звонить ***' } });
    expect(second).toMatchObject({ level: 'warn', msg: 'passport ***', who: '***@example.ru' });
    expect(out.lines.join('\n')).not.toMatch(/112-233-445|739184|1112233|ivan@/);
  });

  it('implements Temporal’s Logger with every level and meta', () => {
    const out = capture();
    const tl = temporalLoggerFrom(createLogger({ level: 'trace', destination: out.stream }));
    tl.trace('t 4510 739184');
    tl.debug('d', { snils: '11223344595' });
    tl.info('i', { workflowId: 'APP-1' });
    tl.warn('w', { error: new Error('bad 112-233-445 95') });
    tl.error('e');
    tl.log('INFO', 'via log', { sdkComponent: 'worker' });
    const lines = out.parsed();
    expect(lines.map((l) => l.level)).toEqual(['trace', 'debug', 'info', 'warn', 'error', 'info']);
    expect(lines[0].msg).toBe('t ***');
    expect(lines[1].snils).toBe('***');
    expect(lines[2].workflowId).toBe('APP-1');
    expect(lines[3].error.message).toBe('bad ***');
    expect(lines[5]).toMatchObject({ msg: 'via log', sdkComponent: 'worker' });
  });
});

describe('cost', () => {
  // The guarantee is structural: a string is cut to MAX_LOGGED_STRING before any pattern runs, so the cost of
  // masking is bounded whatever the caller logs (a timing assertion would only measure the machine).
  it('cuts huge strings before masking and still masks what remains', () => {
    const run = 'A'.repeat(2_000_000);
    const out = maskPersonalData(`${run} ivan@example.ru`);
    expect(out.length).toBeLessThan(MAX_LOGGED_STRING + 100);
    expect(out).toContain(`[${2_000_000 + ' ivan@example.ru'.length - MAX_LOGGED_STRING} more characters]`);
    expect(maskPersonalData(`${'8'.repeat(5000)}${' '.repeat(5000)}x ivan@example.ru`)).toContain('***@example.ru');
    expect(maskPersonalData(`${'a'.repeat(100)}@example.ru`)).toBe('***@example.ru');
  });
});
