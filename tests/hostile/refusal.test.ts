// Hostile refusal facts and letter fields: every string either fails validation with a path naming the
// field, or is rendered with HTML escaped. A crash here would leave a clerk unable to refuse, so anything
// other than RefusalValidationError is a failure.
import fc from 'fast-check';
import { createRefusalRenderer, RefusalValidationError } from '../../refusal';
import { ApplicationInputSchema } from '../../shared/application';
import { archiveLetter, realisticFacts, threeGroundsLetter } from '../refusal/fixtures';
import { hostileString, hostileValue, NASTY_STRINGS, validApplication } from './arbitraries';

const renderer = createRefusalRenderer();

function renderOrReject(input: unknown): { html: string; text: string } | RefusalValidationError {
  try {
    return renderer.renderDocument(input);
  } catch (err) {
    if (err instanceof RefusalValidationError) return err;
    throw err;
  }
}

/** Raw user markup must never reach the HTML: every <, > and & of user text comes out escaped. */
function expectEscaped(html: string, value: unknown): void {
  if (typeof value !== 'string') return;
  for (const danger of ['<script', '<img']) {
    if (value.includes(danger)) expect(html).not.toContain(danger);
  }
}

const SERVICES = ['archive-certificate', 'construction-permit'] as const;
const letterFor = (svc: (typeof SERVICES)[number]) => (svc === 'archive-certificate' ? archiveLetter : threeGroundsLetter);

describe('refusal facts', () => {
  it('an arbitrary value in any fact of any ground: rendered escaped or rejected naming grounds[i].facts.<name>', () => {
    const pick = fc.constantFrom(...SERVICES).chain((svc) =>
      fc.record({ svc: fc.constant(svc), code: fc.constantFrom(...Object.keys(realisticFacts[svc]!)) }).chain(({ svc: s, code }) =>
        fc.record({
          svc: fc.constant(s),
          code: fc.constant(code),
          fact: fc.constantFrom(...Object.keys(realisticFacts[s]![code]!), 'injected'),
          value: fc.oneof(hostileValue, hostileString(300), fc.array(hostileString(60), { maxLength: 4 })),
        }),
      ),
    );
    fc.assert(
      fc.property(pick, ({ svc, code, fact, value }) => {
        const facts = { ...realisticFacts[svc]![code]!, [fact]: value };
        const r = renderOrReject({ ...letterFor(svc), grounds: [{ code, facts }] });
        if (r instanceof RefusalValidationError) {
          expect(r.issues.length).toBeGreaterThan(0);
          for (const i of r.issues) expect(i.path).toMatch(/^grounds\[0\]\.facts(\.|\[|$)/);
        } else {
          expectEscaped(r.html, value);
          if (Array.isArray(value)) value.forEach((v) => expectEscaped(r.html, v));
        }
      }),
      { numRuns: 300 },
    );
  });

  it.each(NASTY_STRINGS.map((s) => [JSON.stringify(s).slice(0, 40), s]))('the string %s as a fact', (_label, value) => {
    const r = renderOrReject({ ...archiveLetter, grounds: [{ code: 'restricted-access', facts: { requestedDocuments: value, createdYear: 1985 } }] });
    if (r instanceof RefusalValidationError) expect(r.issues.map((i) => i.path)).toContain('grounds[0].facts.requestedDocuments');
    else expectEscaped(r.html, value);
  });

  it('refuses bidi overrides and control characters, and a 100 KB fact, naming the field', () => {
    for (const value of ['\u202Eтекст', 'a\u0000b', '\u001b[31m', 'x'.repeat(100_000)]) {
      const r = renderOrReject({ ...archiveLetter, grounds: [{ code: 'restricted-access', facts: { requestedDocuments: value, createdYear: 1985 } }] });
      expect(r).toBeInstanceOf(RefusalValidationError);
      expect((r as RefusalValidationError).issues.map((i) => i.path)).toEqual(['grounds[0].facts.requestedDocuments']);
    }
  });

  it('escapes <script> in a fact that is allowed through', () => {
    const r = renderOrReject({ ...archiveLetter, grounds: [{ code: 'restricted-access', facts: { requestedDocuments: '<script>alert(1)</script> дело №5 & «опись»', createdYear: 1985 } }] });
    expect(r).not.toBeInstanceOf(RefusalValidationError);
    const { html, text } = r as { html: string; text: string };
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(text).toContain('<script>alert(1)</script>');
  });

  it('a handful of hostile letters also render to PDF without crashing', async () => {
    const samples = fc.sample(hostileString(80), { numRuns: 6, seed: 42 });
    for (const s of samples) {
      try {
        const letter = await renderer.render({ ...archiveLetter, applicant: { ...archiveLetter.applicant, postalAddress: `ул. ${s}` } });
        expect(letter.pdf.subarray(0, 5).toString()).toBe('%PDF-');
      } catch (err) {
        expect(err).toBeInstanceOf(RefusalValidationError);
      }
    }
  });
});

describe('refusal letter envelope', () => {
  const FIELDS = [
    ['applicationNumber'],
    ['decisionDate'],
    ['applicant', 'lastName'],
    ['applicant', 'firstName'],
    ['applicant', 'middleName'],
    ['applicant', 'postalAddress'],
    ['applicant', 'gender'],
    ['clerk', 'name'],
    ['clerk', 'position'],
  ];
  it('an arbitrary value in any envelope field: rendered escaped or rejected naming that field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIELDS), fc.oneof(hostileValue, hostileString(300)), (path, value) => {
        const input = structuredClone(archiveLetter) as unknown as Record<string, Record<string, unknown>>;
        if (path.length === 2) input[path[0]!]![path[1]!] = value;
        else (input as Record<string, unknown>)[path[0]!] = value;
        const r = renderOrReject(input);
        if (r instanceof RefusalValidationError) {
          const paths = r.issues.map((i) => i.path);
          // serviceCode errors surface as the catalog's own check on the same field
          expect(paths.some((p) => p === path.join('.') || p.startsWith(path.join('.')))).toBe(true);
        } else {
          expectEscaped(r.html, value);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('an unknown or non-string serviceCode is rejected naming serviceCode', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString(60), fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })), (serviceCode) => {
        fc.pre(serviceCode !== 'archive-certificate');
        const r = renderOrReject({ ...archiveLetter, serviceCode });
        expect(r).toBeInstanceOf(RefusalValidationError);
        expect((r as RefusalValidationError).issues.map((i) => i.path)).toContain('serviceCode');
      }),
      { numRuns: 100 },
    );
  });

  // collectRefusal once formatted the unknown code with String(serviceCode), which throws for such objects.
  it('a serviceCode object that cannot be converted to text is rejected, not a TypeError', () => {
    for (const serviceCode of [{ toString: 1 }, Object.create(null)]) {
      expect(renderOrReject({ ...archiveLetter, serviceCode })).toBeInstanceOf(RefusalValidationError);
    }
  });
});

describe('applicant data accepted at intake reaches the refusal letter', () => {
  // Intake and the letter share one rule for the postal address: an accepted application can always be
  // refused in writing (the clerk cannot change the applicant's address).
  it('every postal address the intake schema accepts is printable on a refusal letter', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ minLength: 1, maxLength: 1000 }), fc.constantFrom('д'.repeat(600), 'ул.\u0007 Лесная', 'ул. \u202EЛесная')), (address) => {
        const app = validApplication(9, { applicant: { kind: 'person', lastName: 'Петров', firstName: 'Иван', passport: { series: '1234', number: '123456' }, postalAddress: address } });
        const parsed = ApplicationInputSchema.safeParse(app);
        fc.pre(parsed.success);
        const a = parsed.data!.applicant as { postalAddress?: string };
        const r = renderOrReject({ ...archiveLetter, applicant: { lastName: 'Петров', firstName: 'Иван', postalAddress: a.postalAddress } });
        expect(r).not.toBeInstanceOf(RefusalValidationError);
      }),
      { numRuns: 100 },
    );
  });

  it('every applicant name the intake schema accepts is printable on a refusal letter', () => {
    const name = fc.stringMatching(/^[А-Яа-яЁёA-Za-z][А-Яа-яЁёA-Za-z' .-]{0,40}$/);
    fc.assert(
      fc.property(name, name, (last, first) => {
        const parsed = ApplicationInputSchema.safeParse(validApplication(10, { applicant: { kind: 'person', lastName: last, firstName: first, passport: { series: '1234', number: '123456' } } }));
        fc.pre(parsed.success);
        const a = parsed.data!.applicant as { lastName: string; firstName: string };
        expect(renderOrReject({ ...archiveLetter, applicant: { lastName: a.lastName, firstName: a.firstName } })).not.toBeInstanceOf(RefusalValidationError);
      }),
      { numRuns: 150 },
    );
  });
});
