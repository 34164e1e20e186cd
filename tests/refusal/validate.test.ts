import { loadGroundsCatalog, RefusalValidationError, validateRefusal, getDefaultRefusalRenderer, type RefusalIssue } from '../../refusal';
import { threeGroundsLetter, withGrounds } from './fixtures';

const catalog = loadGroundsCatalog();

function issuesOf(fn: () => unknown): { issues: readonly RefusalIssue[]; message: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RefusalValidationError);
    return { issues: (e as RefusalValidationError).issues, message: (e as Error).message };
  }
  throw new Error('expected RefusalValidationError');
}

describe('validateRefusal', () => {
  it('returns typed grounds with parsed facts', () => {
    const v = validateRefusal(catalog, 'construction-permit', { grounds: threeGroundsLetter.grounds });
    expect(v.grounds.map((g) => g.code)).toEqual(['missing-documents', 'gpzu-expired', 'gpzu-noncompliance']);
    expect(v.grounds[1].facts.gpzuIssuedAt).toBe('2022-11-14');
    expect(v.grounds[0].ground.definition.regulationPoint).toBe('2.9.1');
  });

  it('rejects a refusal without grounds', () => {
    for (const grounds of [[], undefined]) {
      const { issues, message } = issuesOf(() => validateRefusal(catalog, 'construction-permit', { grounds }));
      expect(issues).toEqual([expect.objectContaining({ path: 'grounds', code: 'no_grounds' })]);
      expect(message).toContain('grounds: at least one ground is required / необходимо указать хотя бы одно основание отказа');
    }
  });

  it('rejects an unknown service', () => {
    const { message } = issuesOf(() => validateRefusal(catalog, 'passport', { grounds: [{ code: 'x', facts: {} }] }));
    expect(message).toContain('serviceCode: unknown service "passport"');
  });

  it('rejects a ground that belongs to another service', () => {
    const { message } = issuesOf(() =>
      validateRefusal(catalog, 'construction-permit', {
        grounds: [{ code: 'restricted-access', facts: { requestedDocuments: 'x', createdYear: 1990 } }],
      }),
    );
    expect(message).toContain('grounds[0].code: unknown ground "restricted-access" for service "construction-permit"');
    expect(message).toContain('основание «restricted-access» не предусмотрено для услуги «Выдача разрешения на строительство»');
  });

  it('rejects a duplicate ground', () => {
    const g = threeGroundsLetter.grounds[0];
    const { message } = issuesOf(() => validateRefusal(catalog, 'construction-permit', { grounds: [g, g] }));
    expect(message).toContain('grounds[1].code: duplicate ground "missing-documents" (already grounds[0])');
  });

  it('names the missing fact with its Russian label', () => {
    const { issues, message } = issuesOf(() =>
      validateRefusal(catalog, 'construction-permit', {
        grounds: [threeGroundsLetter.grounds[1], { code: 'missing-documents', facts: {} }],
      }),
    );
    expect(message).toContain('grounds[1].facts.missingDocuments: required / «Отсутствующие документы»: обязательное поле');
    expect(issues).toHaveLength(1);
  });

  it('reports every malformed fact at once', () => {
    const { message } = issuesOf(() =>
      validateRefusal(catalog, 'construction-permit', {
        grounds: [
          { code: 'missing-documents', facts: { missingDocuments: [] } },
          { code: 'gpzu-expired', facts: { gpzuNumber: 'x'.repeat(101), gpzuIssuedAt: '14.11.2022', submittedAt: '2026-02-18', extra: 1 } },
          { code: 'gpzu-noncompliance', facts: { parameter: 'a\u0007b', designValue: '  ', permittedValue: 5 } },
        ],
      }),
    );
    expect(message).toContain('grounds[0].facts.missingDocuments: needs at least 1 item(s) / «Отсутствующие документы»: укажите не менее 1 значения');
    expect(message).toContain('grounds[1].facts.gpzuNumber: too long (max 100 characters)');
    expect(message).toContain('grounds[1].facts.gpzuIssuedAt: must be a calendar date YYYY-MM-DD');
    expect(message).toContain('grounds[1].facts.extra: unknown field');
    expect(message).toContain('grounds[2].facts.parameter: must be plain text');
    expect(message).toContain('grounds[2].facts.designValue: must not be empty');
    expect(message).toContain('grounds[2].facts.permittedValue: must be a string');
  });

  it('limits fact strings to 2,000 characters by default', () => {
    const ok = 'д'.repeat(2000);
    expect(() =>
      validateRefusal(catalog, 'construction-permit', { grounds: [{ code: 'missing-documents', facts: { missingDocuments: [ok] } }] }),
    ).not.toThrow();
    const { message } = issuesOf(() =>
      validateRefusal(catalog, 'construction-permit', { grounds: [{ code: 'missing-documents', facts: { missingDocuments: [`${ok}д`] } }] }),
    );
    expect(message).toContain('grounds[0].facts.missingDocuments[0]: too long (max 2000 characters)');
  });

  it('rejects characters reserved for document markup and bidi overrides', () => {
    for (const bad of ['a\uE000p\uE001b', 'evil\u202Etxt']) {
      const { message } = issuesOf(() =>
        validateRefusal(catalog, 'construction-permit', { grounds: [{ code: 'missing-documents', facts: { missingDocuments: [bad] } }] }),
      );
      expect(message).toContain('grounds[0].facts.missingDocuments[0]: must be plain text');
    }
  });
});

describe('letter input validation', () => {
  const renderer = getDefaultRefusalRenderer();

  it('merges envelope and ground problems into one error', () => {
    const bad = {
      ...withGrounds(threeGroundsLetter, [{ code: 'missing-documents' }]),
      decisionDate: '2026-02-30',
      applicant: { lastName: '', firstName: 'Иван\nИванович' },
    };
    const { message } = issuesOf(() => renderer.validate(bad));
    expect(message).toContain('decisionDate: must be a calendar date YYYY-MM-DD / «Дата решения»');
    expect(message).toContain('applicant.lastName: must not be empty / «Фамилия заявителя»: не заполнено');
    expect(message).toContain('applicant.firstName: must be plain text');
    expect(message).toContain('grounds[0].facts: required');
  });
});
