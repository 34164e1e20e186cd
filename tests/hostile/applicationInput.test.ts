// Hostile application payloads and clerk arguments at the client boundary (pure: no RPC is made).
// Each input is either accepted as valid or refused with an InputValidationError that names a field and
// never echoes the rejected (possibly personal) value.
import fc from 'fast-check';
import { ApplicantCancelledSchema, ApplicantRespondedSchema, ClerkActionName, ClerkActionSchemas } from '../../shared/clerkActions';
import { InputValidationError, parseOrThrow } from '../../shared/validation';
import { APPLICATION_PATHS, hostileString, hostileValue, offlineCaseClient, piiMarker, setPath, validApplication } from './arbitraries';

const cases = offlineCaseClient();

function outcome(input: unknown): { ok: true } | { ok: false; err: InputValidationError } {
  try {
    cases.validateApplication(input);
    return { ok: true };
  } catch (err) {
    if (!(err instanceof InputValidationError)) throw err; // anything else is a crash of the boundary
    return { ok: false, err };
  }
}

const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`) || a.startsWith(`${b}[`);

describe('application payloads into validateApplication', () => {
  it('accepts the sample application (the mutations below start from a valid one)', () => {
    expect(outcome(validApplication(0)).ok).toBe(true);
  });

  it('arbitrary JSON is valid or an InputValidationError with a message naming the subject', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), hostileValue), (input) => {
        const r = outcome(input);
        if (!r.ok) {
          expect(r.err.message).toMatch(/^Заявление отклонено \(application rejected\): /);
          expect(r.err.problems.length).toBeGreaterThan(0);
          for (const p of r.err.problems) expect(r.err.message).toContain(`${p.field || '(root)'}: ${p.rule}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a mutated field is refused naming that field (or its parent/child), never echoing the value', () => {
    const mutation = fc.record({
      path: fc.constantFrom(...APPLICATION_PATHS),
      value: fc.oneof(
        hostileValue,
        piiMarker,
        piiMarker.map((m) => `${m}${'я'.repeat(120)}`),
        piiMarker.map((m) => ({ series: m, number: m })),
        fc.constant(undefined),
      ),
    });
    fc.assert(
      fc.property(mutation, ({ path, value }) => {
        const input = setPath(validApplication(1) as unknown as Record<string, unknown>, path, value);
        const r = outcome(input);
        if (r.ok) return; // the mutation happened to be valid (e.g. an optional field removed)
        const fields = r.err.problems.map((p) => p.field);
        const mutated = path.join('.');
        expect(fields.some((f) => f !== '' && related(f, mutated))).toBe(true);
        const markers = JSON.stringify(value ?? null).match(/ZqPII\d+/g) ?? [];
        for (const m of markers) expect(r.err.message).not.toContain(m);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses personal identifiers with bad checksums without echoing them', () => {
    const bad = [
      ['applicant', 'snils', '112-233-445 00'],
      ['applicant', 'inn', '500100732250'],
      ['applicant', 'email', 'ZqPII1@@x'],
      ['applicant', 'phone', '+7-916-ZqPII2'],
      ['applicant', 'birthDate', '1990-13-45'],
    ] as const;
    for (const [a, b, v] of bad) {
      const r = outcome(setPath(validApplication(2) as never, [a, b], v));
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.err.message).toContain(`applicant.${b}: `);
      expect(r.err.message).not.toContain(v);
    }
  });

  it.each([
    ['applicationNumber', ['applicationNumber'], 'A'.repeat(37)],
    ['lastName', ['applicant', 'lastName'], 'Я'.repeat(101)],
    ['middleName', ['applicant', 'middleName'], 'Я'.repeat(101)],
    ['postalAddress', ['applicant', 'postalAddress'], 'д'.repeat(1001)],
    ['assignedClerk', ['assignedClerk'], 'c'.repeat(101)],
    ['officeName', ['officeName'], 'o'.repeat(1025)],
    ['serviceCode', ['serviceCode'], 's'.repeat(65)],
    ['100 KB name', ['applicant', 'firstName'], 'Я'.repeat(100_000)],
  ])('refuses an oversized %s naming the field', (_label, path, value) => {
    const r = outcome(setPath(validApplication(3) as never, path, value));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.err.problems.map((p) => p.field)).toContain(path.join('.'));
  });
});

const ACTIONS = Object.keys(ClerkActionSchemas) as ClerkActionName[];

describe('clerk arguments and portal callbacks at the client', () => {
  it('arbitrary arguments of every action are valid or refused naming a field, before any RPC', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ACTIONS), fc.oneof(hostileValue, fc.record({ clerk: hostileString(), note: hostileString(3000) })), async (action, args) => {
        // The offline client throws if an RPC is attempted: only validation failures may surface.
        const err = await cases.act('ANY-1', action, args as never).catch((e: unknown) => e);
        if (err instanceof InputValidationError) {
          expect(err.message).toMatch(new RegExp(`^Действие ${action} отклонено`));
          expect(err.problems.length).toBeGreaterThan(0);
        } else {
          expect(String(err)).toContain('offline client: no RPC expected');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses notes, reasons and document lists beyond their limits', () => {
    const long = 'н'.repeat(2001);
    expect(() => parseOrThrow(ClerkActionSchemas.register, { clerk: 'ivanova', note: long }, 'register')).toThrow(/note: комментарий: не более 2000/);
    expect(() => parseOrThrow(ClerkActionSchemas.reassign, { clerk: 'a', to: 'b', reason: 'r'.repeat(501) }, 'reassign')).toThrow(/reason: /);
    expect(() => parseOrThrow(ClerkActionSchemas.requestInteragency, { clerk: 'a', agencies: Array(21).fill('ФНС') }, 'x')).toThrow(/agencies: /);
    expect(() => parseOrThrow(ClerkActionSchemas.extendDeadline, { clerk: 'a', amount: 366, unit: 'workingDays', reason: 'x' }, 'x')).toThrow(/amount: /);
    expect(() => parseOrThrow(ClerkActionSchemas.draftDecision, { clerk: 'a', outcome: 'refuse', grounds: Array(21).fill({ code: 'x', facts: {} }) }, 'x')).toThrow(/grounds: /);
    expect(() => parseOrThrow(ApplicantRespondedSchema, { note: long }, 'applicantResponded')).toThrow(/note: /);
    expect(() => parseOrThrow(ApplicantRespondedSchema, { documents: Array(51).fill('д') }, 'applicantResponded')).toThrow(/documents: /);
    expect(() => parseOrThrow(ApplicantRespondedSchema, { documents: ['д'.repeat(201)] }, 'applicantResponded')).toThrow(/documents\[0\]: /);
    expect(() => parseOrThrow(ApplicantCancelledSchema, { reason: long }, 'applicantCancelled')).toThrow(/reason: /);
  });
});
