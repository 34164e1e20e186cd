// Hostile configuration: arbitrary environment values and broken service definition files. Start-up either
// succeeds or stops with an InputValidationError naming the variable (or the file and field).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { ServiceRegistry } from '../../services/registry';
import { InputValidationError } from '../../shared/validation';
import { loadWorkerConfig, WorkerConfigSchema } from '../../worker/config';
import { hostileString } from './arbitraries';

const VARIABLES = Object.keys(WorkerConfigSchema.shape);

describe('loadWorkerConfig with arbitrary environment values', () => {
  it('is valid or an InputValidationError whose problems name only configuration variables', () => {
    const envValue = fc.oneof(
      hostileString(80),
      fc.constantFrom('1e3', 'Infinity', '-0', '0x10', ' 5 ', 'NaN', '9'.repeat(400), 'Etc/GMT+99', 'Europe/Moscow\u0000', 'http://', 'localhost', '127.0.0.1:99999', 'true ', 'TRUE'),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...VARIABLES, 'PATH', '__proto__', 'constructor'), envValue, { maxKeys: 6 }), (env) => {
        try {
          loadWorkerConfig(env);
        } catch (err) {
          if (!(err instanceof InputValidationError)) throw err;
          for (const p of err.problems) expect(VARIABLES).toContain(p.field);
          expect(err.message).toMatch(/^Ошибка конфигурации воркера/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['TEMPORAL_ADDRESS', 'http://temporal:7233/'],
    ['DATABASE_URL', 'not a url'],
    ['SMEV_ADAPTER_URL', '::'],
    ['ELK_ENV', 'PROD'],
    ['DEPARTMENT_INN', '77012345'],
    ['DEPARTMENT_TIME_ZONE', 'Mars/Olympus'],
    ['ELK_RETRY_MAX_INTERVAL_MS', 'soon'],
    ['ELK_RETRY_MAX_INTERVAL_MS', '99'],
    ['CASE_DEPARTMENT_ID', 'Отдел'],
    ['CASE_WEEKLY_REPORT_SCHEDULE', 'yes'],
    ['SMTP_PORT', '70000'],
    ['CASE_REGIONAL_HOLIDAYS', '2026-03-01;2026-03-02'],
    ['CASE_CODEC_SERVER_TOKEN', 'short'],
  ])('%s=%j stops start-up naming the variable', (name, value) => {
    const err = (() => {
      try {
        loadWorkerConfig({ [name]: value });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(InputValidationError);
    expect((err as InputValidationError).problems.map((p) => p.field)).toEqual([name]);
  });

  it('CASE_REGIONAL_HOLIDAYS with an impossible date stops start-up naming the variable', () => {
    expect(() => loadWorkerConfig({ CASE_REGIONAL_HOLIDAYS: '2026-13-01:День города' })).toThrow(/CASE_REGIONAL_HOLIDAYS: /);
    expect(() => loadWorkerConfig({ CASE_REGIONAL_HOLIDAYS: '2026-02-30' })).toThrow(/CASE_REGIONAL_HOLIDAYS: /);
  });

  it('treats an empty variable as unset (the default applies)', () => {
    expect(loadWorkerConfig({ ELK_ENV: '', CASE_TASK_QUEUE: '' })).toMatchObject({ ELK_ENV: 'SVCDEV', CASE_TASK_QUEUE: 'case-lifecycle' });
  });
});

describe('service definition files', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-services-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const valid = () => JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../services/archive-certificate.json'), 'utf8'));

  function loadError(json: string): unknown {
    fs.writeFileSync(path.join(dir, 'extra.json'), json);
    try {
      ServiceRegistry.load([dir]);
      return null;
    } catch (e) {
      return e;
    }
  }

  it('arbitrary JSON shapes are refused with the file name and a field', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        const err = loadError(JSON.stringify(json));
        expect(err).toBeInstanceOf(InputValidationError);
        expect((err as Error).message).toContain(path.join(dir, 'extra.json'));
      }),
      { numRuns: 100 },
    );
  });

  it.each<[string, (d: Record<string, any>) => void, string]>([
    ['a code with capitals', (d) => (d.code = 'Extra-Service'), 'code'],
    ['a long serviceTargetCode', (d) => (d.serviceTargetCode = '1'.repeat(21)), 'serviceTargetCode'],
    ['an unknown stage', (d) => (d.elkStatusByStage = { nowhere: 3 }), 'elkStatusByStage'],
    ['a fractional ЕЛК code', (d) => (d.elkStatusByStage = { registered: 6.5 }), 'elkStatusByStage.registered'],
    ['a zero term', (d) => (d.regulation.term.amount = 0), 'regulation.term.amount'],
    ['a string term', (d) => (d.regulation.term.amount = '30'), 'regulation.term.amount'],
    ['a missing regulation', (d) => delete d.regulation, 'regulation'],
    ['no rule for when the term starts', (d) => delete d.regulation.termStart, 'regulation.termStart'],
    ['a term start that is neither receipt nor registration', (d) => (d.regulation.termStart.from = 'decision'), 'regulation.termStart.from'],
    ['a term start without its legal source', (d) => (d.regulation.termStart.basis = ' '), 'regulation.termStart.basis'],
  ])('refuses %s naming the file and field', (_label, mutate, field) => {
    const d = valid();
    d.code = 'extra-service';
    mutate(d);
    const err = loadError(JSON.stringify(d));
    expect(err).toBeInstanceOf(InputValidationError);
    expect((err as InputValidationError).subject).toContain(path.join(dir, 'extra.json'));
    expect((err as InputValidationError).problems.map((p) => p.field)).toContain(field);
  });

  it('loads a valid extra definition', () => {
    const d = valid();
    d.code = 'extra-service';
    expect(loadError(JSON.stringify(d))).toBeNull();
  });

  it('refuses a file that is not JSON, naming the file', () => {
    const err = loadError('{ "code": "extra-service", ');
    expect(err).toBeInstanceOf(InputValidationError);
    expect((err as Error).message).toContain(path.join(dir, 'extra.json'));
  });

  it('refuses a definition that repeats a bundled service code', () => {
    const err = loadError(JSON.stringify(valid()));
    expect(String(err)).toContain('archive-certificate is defined twice');
  });
});
