import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DEFAULT_CATALOG_DIR,
  formatLegalReferences,
  loadGroundsCatalog,
  parseServiceCatalog,
  RefusalConfigError,
} from '../../refusal';

const shipped = loadGroundsCatalog();
const raw = (code: string) => JSON.parse(fs.readFileSync(path.join(DEFAULT_CATALOG_DIR, `${code}.json`), 'utf8'));

describe('shipped grounds catalog', () => {
  it('has both services with at least four grounds each', () => {
    expect([...shipped.services.keys()].sort()).toEqual(['archive-certificate', 'construction-permit']);
    for (const service of shipped.services.values()) expect(service.grounds.size).toBeGreaterThanOrEqual(4);
    expect(shipped.services.get('archive-certificate')!.definition.serviceName).toBe(
      'Выдача архивных справок, архивных выписок и архивных копий',
    );
  });

  it('renders legal bases in Russian citation form, naming an act once per run', () => {
    const grk = shipped.services.get('construction-permit')!;
    expect(grk.grounds.get('gpzu-noncompliance')!.norms).toEqual([
      'пункт 2.9.3 Административного регламента',
      'часть 13 статьи 51 Градостроительного кодекса Российской Федерации',
    ]);
    expect(grk.grounds.get('gpzu-expired')!.norms).toEqual([
      'пункт 2.9.2 Административного регламента',
      'часть 13 статьи 51, пункт 2 части 7 статьи 51 Градостроительного кодекса Российской Федерации',
    ]);
    const archive = shipped.services.get('archive-certificate')!;
    expect(archive.grounds.get('unreadable-request')!.norms).toEqual([
      'пункт 2.9.5 Административного регламента',
      'часть 4 статьи 11 Федерального закона от 02.05.2006 № 59-ФЗ «О порядке рассмотрения обращений граждан Российской Федерации»',
    ]);
    expect(archive.grounds.get('missing-documents')!.norms).toEqual(['пункт 2.9.1, пункт 2.6.2 Административного регламента']);
    expect(
      formatLegalReferences([{ act: 'grk', article: '51' }], { grk: { genitive: 'Градостроительного кодекса Российской Федерации' } }),
    ).toEqual(['статья 51 Градостроительного кодекса Российской Федерации']);
  });

  it('builds a zod schema per ground from the declarative facts', () => {
    const ground = shipped.services.get('construction-permit')!.grounds.get('registry-data-mismatch')!;
    expect(ground.factsSchema.safeParse({ field: 'кадастровый номер', declaredValue: 'a', registryValue: 'b' }).success).toBe(true);
    expect(ground.factsSchema.safeParse({ field: 'кадастровый номер', declaredValue: 'a' }).success).toBe(false);
    const dates = shipped.services.get('construction-permit')!.grounds.get('gpzu-expired')!;
    expect(dates.factsSchema.safeParse({ gpzuNumber: '1', gpzuIssuedAt: '2022-02-30', submittedAt: '2026-01-01' }).success).toBe(false);
  });
});

describe('catalog validation', () => {
  const problemsOf = (json: unknown): string[] => {
    try {
      parseServiceCatalog(json, 'test.json');
    } catch (e) {
      expect(e).toBeInstanceOf(RefusalConfigError);
      return [...(e as RefusalConfigError).problems];
    }
    return [];
  };

  it('accepts the shipped files', () => {
    expect(problemsOf(raw('construction-permit'))).toEqual([]);
  });

  it('rejects a reserved fact name and a bad fact kind', () => {
    const json = raw('construction-permit');
    json.grounds[3].facts[0].name = 'para';
    json.grounds[4].facts[0].kind = 'html';
    const problems = problemsOf(json).join('\n');
    expect(problems).toMatch(/grounds\[3\]\.facts\[0\]\.name: "para" is reserved/);
    expect(problems).toMatch(/grounds\[4\]\.facts\[0\]\.kind/);
  });

  it('rejects an unknown act and a duplicate ground (cross-checks run once the shape is valid)', () => {
    const json = raw('construction-permit');
    json.grounds[0].legalBasis = [{ act: 'no-such-act', article: '1' }];
    json.grounds[2].code = json.grounds[1].code;
    const problems = problemsOf(json).join('\n');
    expect(problems).toMatch(/grounds\[0\]\.legalBasis\[0\]\.act: unknown act "no-such-act"/);
    expect(problems).toMatch(/grounds\[2\]\.code: duplicate ground code "gpzu-expired"/);
  });

  it('requires the "regulation" act that regulation points are cited through', () => {
    const json = raw('archive-certificate');
    delete json.acts.regulation;
    json.grounds = json.grounds.filter((g: { legalBasis: unknown }) => !JSON.stringify(g.legalBasis).includes('"regulation"'));
    expect(problemsOf(json).join('\n')).toMatch(/acts: the "regulation" act/);
  });

  it('rejects unknown keys (typos in department-edited config)', () => {
    const json = raw('archive-certificate');
    json.grounds[0].mayReaplyImmediately = true;
    expect(problemsOf(json).join('\n')).toMatch(/grounds\[0\]/);
  });
});
