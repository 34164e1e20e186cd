// The input policy at the client boundary, field by field: every string bounded before any regex (10 MB and
// 50 M-character values are field errors, never RangeError), one plain-text policy for every free-text field that
// reaches ЕЛК, a letter or a task, and lawful date ranges. Pure: the offline client makes no RPC.
import fc from 'fast-check';
import { ApplicantCancelledSchema, ApplicantRespondedSchema, ClerkActionName, ClerkActionSchemas } from '../../shared/clerkActions';
import { BIRTH_DATE_MAX_AGE_YEARS, RECEIVED_AT_EARLIEST } from '../../shared/lawfulDates';
import { InputValidationError, parseOrThrow } from '../../shared/validation';
import { offlineCaseClient, validApplication } from './arbitraries';

const cases = offlineCaseClient();

// Built once: the suite stays fast.
const TEN_MB = 'a'.repeat(10 * 1024 * 1024);
const FIFTY_M_CHARS = 'Я'.repeat(50_000_000);
const FIVE_M_NAME = 'Петров'.repeat(1_000_000);
const HUGE = [TEN_MB, FIFTY_M_CHARS, FIVE_M_NAME] as const;
// Indices, not the strings: a failing property prints its counterexample.
const hugeIndex = fc.constantFrom(0, 1, 2);

type Path = (string | number)[];

/** Shallow copy along the path only: the huge strings are never cloned. */
function withPath(target: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const node = (Array.isArray(target) ? [...target] : { ...(target as object) }) as Record<string | number, unknown>;
  node[head] = withPath(node[head] ?? (typeof rest[0] === 'number' ? [] : {}), rest, value);
  return node;
}

/** Every string leaf of a value, as paths. */
function stringPaths(value: unknown, prefix: Path = []): Path[] {
  if (typeof value === 'string') return [prefix];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, [...prefix, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...prefix, k]));
  return [];
}

const fieldName = (path: Path) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');

function validationError(fn: () => unknown): InputValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputValidationError) return err;
    throw err; // anything else is a crash of the boundary (RangeError, TypeError…)
  }
  throw new Error('accepted');
}

// A person with every optional field filled, and an organisation: together they cover every applicant field.
const person = () => {
  const app = validApplication(0, { officeName: 'Отдел архивных справок' });
  return { ...app, applicant: { ...app.applicant, inn: '500100732259', passport: { series: '4510', number: '123456' }, birthDate: '1980-05-17', email: 'a@example.ru', gender: 'female' } };
};
const organisation = () => ({ ...person(), applicant: { kind: 'organization', title: 'ООО «Ромашка»', ogrn: '1027700132195', inn: '7707083893', kpp: '773601001' } });

describe('every field of the application is bounded before any regex', () => {
  it('the full samples are valid (the mutations below start from valid input)', () => {
    expect(() => cases.validateApplication(person())).not.toThrow();
    expect(() => cases.validateApplication(organisation())).not.toThrow();
  });

  const targets = [
    ...stringPaths(person()).map((path) => ({ base: person, path })),
    ...stringPaths(organisation()).filter((p) => p[0] === 'applicant').map((path) => ({ base: organisation, path })),
  ];
  const paths = targets.map((t) => t.path);

  it('covers every string field of both samples', () => {
    expect(paths.map(fieldName)).toEqual(expect.arrayContaining([
      'applicationNumber', 'serviceCode', 'channel', 'receivedAt', 'assignedClerk', 'officeName',
      'applicant.lastName', 'applicant.firstName', 'applicant.middleName', 'applicant.snils', 'applicant.inn',
      'applicant.passport.series', 'applicant.passport.number', 'applicant.birthDate', 'applicant.postalAddress',
      'applicant.phone', 'applicant.email', 'applicant.gender', 'applicant.title', 'applicant.ogrn', 'applicant.kpp',
    ]));
  });

  it('10 MB and 50 M-character values are a validation error naming that field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...targets), hugeIndex, ({ base, path }, i) => {
        const err = validationError(() => cases.validateApplication(withPath(base(), path, HUGE[i])));
        expect(err.problems.map((p) => p.field)).toContain(fieldName(path));
        expect(err.message.length).toBeLessThan(2000); // the value is never echoed
      }),
      { numRuns: 120 },
    );
  });

  it('a 5 M-character last name names applicant.lastName (was RangeError: Maximum call stack size exceeded)', () => {
    const err = validationError(() => cases.validateApplication(withPath(person(), ['applicant', 'lastName'], FIVE_M_NAME)));
    expect(err.problems).toEqual([{ field: 'applicant.lastName', rule: expect.stringContaining('не более 100 символов') }]);
  });

  it('applicant.email is bounded at 254 characters (RFC 5321)', () => {
    const at = (local: number) => `${'a'.repeat(local)}@example.ru`;
    expect(() => cases.validateApplication(withPath(person(), ['applicant', 'email'], at(254 - 11)))).not.toThrow();
    const err = validationError(() => cases.validateApplication(withPath(person(), ['applicant', 'email'], at(255 - 11))));
    expect(err.problems.map((p) => p.field)).toEqual(['applicant.email']);
  });
});

describe('one plain-text policy for every free text that reaches ЕЛК, a letter or a task', () => {
  const FORBIDDEN = ['\u202E', '\u202D', '\u2066', '\u2069', '\u200F', '\u061C', '\u0000', '\u0007', '\u001B', '\u0085', '\uFEFF', '\u200B', '\uE000', '\uD800'];
  const textPaths: Path[] = [['officeName'], ['assignedClerk'], ['applicant', 'lastName'], ['applicant', 'firstName'], ['applicant', 'middleName'], ['applicant', 'postalAddress']];

  it('bidi overrides and control characters are refused in every application text field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...textPaths), fc.constantFrom(...FORBIDDEN), fc.string({ maxLength: 20 }), (path, bad, around) => {
        const err = validationError(() => cases.validateApplication(withPath(person(), path, `Отдел${bad}а${around}`)));
        expect(err.problems.map((p) => p.field)).toContain(fieldName(path));
      }),
      { numRuns: 200 },
    );
    const org = validationError(() => cases.validateApplication(withPath(organisation(), ['applicant', 'title'], 'ООО \u202Eмашкор')));
    expect(org.problems.map((p) => p.field)).toContain('applicant.title');
  });

  it('text is stored trimmed and NFC-normalised (one name, one spelling)', () => {
    const decomposed = 'Ёлкина'.normalize('NFD');
    expect(decomposed).not.toBe('Ёлкина');
    const app = cases.validateApplication(withPath(withPath(person(), ['applicant', 'lastName'], ` ${decomposed} `), ['officeName'], ' Отдел  № 1 '));
    expect(app.applicant.kind === 'person' && app.applicant.lastName).toBe('Ёлкина');
    expect(app.officeName).toBe('Отдел  № 1');
  });

  it('clerk ids, notes, agencies, reasons and portal callbacks follow the same policy', async () => {
    const attempts: [ClerkActionName, unknown, string][] = [
      ['register', { clerk: 'iva\u202Enova' }, 'clerk'],
      ['register', { clerk: 'ivanova', note: 'ok\u0007' }, 'note'],
      ['requestInteragency', { clerk: 'ivanova', agencies: ['ФНС\u2066'] }, 'agencies[0]'],
      ['recordInteragencyAnswer', { clerk: 'ivanova', agency: 'Рос\nреестр' }, 'agency'],
      ['reassign', { clerk: 'ivanova', to: 'petrov\u200F', reason: 'отпуск' }, 'to'],
      ['extendDeadline', { clerk: 'ivanova', amount: 5, unit: 'workingDays', reason: '\u202Eч. 7 ст. 51' }, 'reason'],
      ['draftDecision', { clerk: 'ivanova', outcome: 'refuse', grounds: [{ code: 'gpzu\u202Eexpired', facts: {} }] }, 'grounds[0].code'],
    ];
    for (const [action, args, field] of attempts) {
      const err = await cases.act('ANY-1', action, args as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputValidationError);
      expect((err as InputValidationError).problems.map((p) => p.field)).toContain(field);
    }
    expect(() => parseOrThrow(ApplicantRespondedSchema, { note: 'исправлено\u202E' }, 'applicantResponded')).toThrow(/note: /);
    expect(() => parseOrThrow(ApplicantRespondedSchema, { documents: ['скан\u0000'] }, 'applicantResponded')).toThrow(/documents\[0\]: /);
    expect(() => parseOrThrow(ApplicantCancelledSchema, { reason: '\u2067x' }, 'applicantCancelled')).toThrow(/reason: /);
    // Ordinary multi-line notes stay allowed.
    expect(parseOrThrow(ClerkActionSchemas.register, { clerk: 'ivanova', note: 'строка 1\nстрока 2\tтаб' }, 'register').note).toBe('строка 1\nстрока 2\tтаб');
  });
});

// A valid argument object per action with every optional text filled, so every string field is reached.
const VALID_ARGS: { [A in ClerkActionName]: unknown } = {
  register: { clerk: 'ivanova', note: 'ок' },
  startReview: { clerk: 'ivanova', note: 'ок' },
  requestInteragency: { clerk: 'ivanova', agencies: ['ФНС России'], note: 'ок' },
  recordInteragencyAnswer: { clerk: 'ivanova', agency: 'ФНС России', note: 'ок' },
  requestFromApplicant: { clerk: 'ivanova', kind: 'correction', note: 'ок' },
  draftDecision: { clerk: 'ivanova', outcome: 'refuse', grounds: [{ code: 'missing-documents', facts: { missingDocuments: ['схема'], designValue: '12 м' } }], note: 'ок' },
  amendRefusal: { clerk: 'ivanova', grounds: [{ code: 'missing-documents', facts: { missingDocuments: ['схема'], designValue: '12 м' } }], note: 'ок' },
  extendDeadline: { clerk: 'ivanova', amount: 5, unit: 'workingDays', reason: 'ч. 7 ст. 51 ГрК РФ' },
  approve: { clerk: 'ivanova', note: 'ок' },
  refuse: { clerk: 'ivanova', note: 'ок' },
  issueResult: { clerk: 'ivanova', note: 'ок' },
  reassign: { clerk: 'ivanova', to: 'petrov', reason: 'отпуск' },
  resolveDeliveryProblem: { clerk: 'ivanova', action: 'retry', note: 'ок' },
};

describe('every field of every clerk action is bounded before any regex', () => {
  const ACTIONS = Object.keys(ClerkActionSchemas) as ClerkActionName[];
  const targets = ACTIONS.flatMap((action) => stringPaths(VALID_ARGS[action]).map((path) => [action, path] as const));

  it('the valid arguments pass (they reach the offline client, which refuses the RPC)', async () => {
    for (const action of ACTIONS) {
      const err = await cases.act('ANY-1', action, VALID_ARGS[action] as never).catch((e: unknown) => e);
      expect(String(err)).toContain('offline client: no RPC expected');
    }
  });

  it('10 MB and 50 M-character values are a validation error naming that field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), hugeIndex, async ([action, path], i) => {
        const err = await cases.act('ANY-1', action, withPath(VALID_ARGS[action], path, HUGE[i]) as never).catch((e: unknown) => e);
        if (!(err instanceof InputValidationError)) throw err;
        expect(err.problems.map((p) => p.field)).toContain(fieldName(path));
        expect(err.message.length).toBeLessThan(2000);
      }),
      { numRuns: 150 },
    );
  });

  it('huge portal callbacks are validation errors naming the field', () => {
    for (const huge of HUGE) {
      expect(() => parseOrThrow(ApplicantRespondedSchema, { note: huge }, 'applicantResponded')).toThrow(/^applicantResponded: note: /);
      expect(() => parseOrThrow(ApplicantRespondedSchema, { documents: [huge] }, 'applicantResponded')).toThrow(/^applicantResponded: documents\[0\]: /);
      expect(() => parseOrThrow(ApplicantCancelledSchema, { reason: huge }, 'applicantCancelled')).toThrow(/^applicantCancelled: reason: /);
    }
  });
});

describe('lawful dates', () => {
  const at = (receivedAt: string, birthDate?: string) =>
    withPath(withPath(person(), ['receivedAt'], receivedAt), ['applicant', 'birthDate'], birthDate);

  it.each(['1850-03-01T10:00:00+03:00', '1900-01-01T10:00:00+03:00', '2019-12-31T20:59:59Z', '2099-01-01T10:00:00+03:00'])(
    'receivedAt %s is refused, naming the field',
    (receivedAt) => {
      const err = validationError(() => cases.validateApplication(at(receivedAt, undefined)));
      expect(err.problems.map((p) => p.field)).toEqual(['receivedAt']);
    },
  );

  it(`accepts receipt from ${RECEIVED_AT_EARLIEST} up to now`, () => {
    expect(() => cases.validateApplication(at(RECEIVED_AT_EARLIEST, undefined))).not.toThrow();
    expect(() => cases.validateApplication(at(new Date().toISOString(), undefined))).not.toThrow();
  });

  it(`birthDate: not after receipt, not more than ${BIRTH_DATE_MAX_AGE_YEARS} years before it`, () => {
    const received = '2026-03-05T10:00:00+03:00';
    for (const bad of ['1850-01-01', '1900-01-01', '1903-03-04', '2026-03-06', '2099-01-01']) {
      const err = validationError(() => cases.validateApplication(at(received, bad)));
      expect(err.problems.map((p) => p.field)).toEqual(['applicant.birthDate']);
    }
    for (const good of ['1903-03-05', '1950-06-30', '2026-03-05']) expect(() => cases.validateApplication(at(received, good))).not.toThrow();
  });
});
