// The workflow checks clerk actions and portal callbacks with zod-free guards (shared/clerkActionRules.ts); the
// client and every other boundary use the zod schemas built from the same rules. Both must agree on everything
// a caller can send: the same verdict, the same normalised arguments, problems on the same fields.
import fc from 'fast-check';
import {
  ApplicantCancelledGuard,
  ApplicantCancelledSchema,
  ApplicantRespondedGuard,
  ApplicantRespondedSchema,
  CLERK_ACTIONS,
  ClerkActionGuards,
  ClerkActionSchemas,
  checkClerkAction,
} from '../../shared/clerkActions';
import { check, Guard } from '../../shared/guards';
import { checkFeedback, FeedbackInputGuard, FlagCommentGuard, ReactionActorGuard, RecordMeasureGuard } from '../../shared/feedbackRules';
import { feedbackInputSchema, flagCommentSchema, reactionActorSchema, recordMeasureSchema } from '../../feedback/ratingSchemas';
import { fieldPath } from '../../shared/validation';
import type { z } from 'zod';
import { hostileString, hostileValue } from './arbitraries';

const plausible: Record<string, Record<string, unknown>> = {
  register: { clerk: 'ivanova', note: 'ok' },
  startReview: { clerk: 'ivanova' },
  requestInteragency: { clerk: 'ivanova', agencies: ['ФНС', 'Росреестр'], note: 'x' },
  recordInteragencyAnswer: { clerk: 'ivanova', agency: 'ФНС' },
  requestFromApplicant: { clerk: 'ivanova', kind: 'documents' },
  draftDecision: { clerk: 'ivanova', outcome: 'refuse', grounds: [{ code: 'restricted-access', facts: { a: 1 } }] },
  amendRefusal: { clerk: 'ivanova', grounds: [{ code: 'missing-documents', facts: {} }] },
  extendDeadline: { clerk: 'head', amount: 10, unit: 'workingDays', reason: 'ч. 3 ст. 7' },
  approve: { clerk: 'head' },
  refuse: { clerk: 'head', note: '  ' },
  issueResult: { clerk: ' ivanova ', document: { documentId: '0b0e5c1e-8a7b-4c1d-9e2f-3a4b5c6d7e8f', sha256: 'a'.repeat(64) } },
  reassign: { clerk: 'head', to: 'petrov', reason: 'отпуск' },
  resolveDeliveryProblem: { clerk: 'ivanova', action: 'retry' },
};

// Values near the rules' edges, besides anything hostile.
const edgy = fc.oneof(
  hostileValue,
  hostileString(2100),
  fc.constantFrom('approve', 'refuse', 'retry', 'skip', 'workingDays', 'calendarDays', 'correction', 'documents', 0, 1, 365, 366, 1.5, -1),
  fc.array(fc.oneof(hostileString(5), fc.record({ code: hostileString(5), facts: hostileValue })), { maxLength: 22 }),
  // exactly at and one past each limit, with and without surrounding spaces
  fc.constantFrom(1, 20, 50, 100, 200, 500, 2000).chain((n) => fc.constantFrom('x'.repeat(n), 'x'.repeat(n + 1), ` ${'x'.repeat(n)} `, Array.from({ length: n + 1 }, () => 'ФНС'))),
);

/** The plausible arguments with some keys replaced, removed or added. */
const argsFor = (action: string) =>
  fc.oneof(
    hostileValue,
    fc
      .array(fc.tuple(fc.constantFrom(...Object.keys(plausible[action]!), 'grounds', 'note', 'extra'), fc.option(edgy, { nil: undefined })), { maxLength: 3 })
      .map((changes) => {
        const out: Record<string, unknown> = { ...plausible[action] };
        for (const [k, v] of changes) out[k] = v;
        return out;
      }),
  );

function agree(schema: z.ZodType, guard: Guard<unknown>, value: unknown): void {
  const z = schema.safeParse(value);
  const g = check(guard, value);
  expect({ value, ok: g.ok }).toEqual({ value, ok: z.success });
  if (g.ok && z.success) expect(g.value).toEqual(z.data);
  if (!g.ok && !z.success) {
    const zodFields = new Set(z.error.issues.map((i) => fieldPath(i.path)));
    for (const p of g.problems) expect(zodFields).toContain(p.field);
  }
}

describe('zod-free guards agree with the zod schemas', () => {
  it.each(CLERK_ACTIONS)('%s', (action) => {
    fc.assert(
      fc.property(argsFor(action), (args) => agree(ClerkActionSchemas[action], ClerkActionGuards[action] as Guard<unknown>, args)),
      { numRuns: 400, seed: 13 },
    );
  });

  it.each(CLERK_ACTIONS)('%s: every field at, below and past each limit', (action) => {
    const lengths = [0, 1, 19, 20, 21, 49, 50, 51, 99, 100, 101, 199, 200, 201, 364, 365, 366, 499, 500, 501, 1999, 2000, 2001];
    const values: unknown[] = [undefined, null, 1.5, -1, ...lengths, ...lengths.flatMap((n) => ['x'.repeat(n), ` ${'x'.repeat(n)} `, Array.from({ length: n }, () => 'ФНС')])];
    for (const key of [...Object.keys(plausible[action]!), 'grounds', 'note', 'agencies', 'document']) {
      for (const v of values) agree(ClerkActionSchemas[action], ClerkActionGuards[action] as Guard<unknown>, { ...plausible[action], [key]: v });
    }
  });

  it('portal callbacks', () => {
    const callback = fc.oneof(hostileValue, fc.record({ note: fc.option(edgy, { nil: undefined }), documents: fc.option(edgy, { nil: undefined }), reason: fc.option(edgy, { nil: undefined }) }));
    fc.assert(
      fc.property(callback, (v) => {
        agree(ApplicantRespondedSchema, ApplicantRespondedGuard as Guard<unknown>, v);
        agree(ApplicantCancelledSchema, ApplicantCancelledGuard as Guard<unknown>, v);
      }),
      { numRuns: 400, seed: 17 },
    );
  });

  it('the workflow applies the plain-text policy with the same messages as the client', () => {
    const bidi = checkClerkAction('register', { clerk: 'iva\u202Enova' });
    expect(bidi.ok).toBe(false);
    if (!bidi.ok) expect(bidi.message).toContain('clerk: clerk: одна строка обычного текста');
    const zeroWidth = checkClerkAction('reassign', { clerk: 'head', to: 'petrov', reason: 'от\u200Bпуск' });
    expect(zeroWidth.ok).toBe(false);
    if (!zeroWidth.ok) expect(zeroWidth.message).toContain('reason: reason: только обычный текст');
    // Trimmed and NFC-normalised: the same name typed on two keyboards is the same clerk.
    const decomposed = checkClerkAction('register', { clerk: ' Ё\u0308жик '.replace('Ё', 'Е') });
    expect(decomposed).toEqual({ ok: true, value: { clerk: 'Ёжик' } });
    const doc = checkClerkAction('issueResult', { clerk: 'ivanova', document: { documentId: 'not-a-uuid', sha256: 'A'.repeat(64) } });
    expect(doc.ok).toBe(false);
    if (!doc.ok) {
      expect(doc.message).toContain('document.documentId: document.documentId: ожидается UUID');
      expect(doc.message).toContain('document.sha256: document.sha256: SHA-256');
    }
  });

  it('a rejected action names the field and the rule, never the value', () => {
    const r = checkClerkAction('extendDeadline', { clerk: 'ZqPII1', amount: 0, unit: 'weeks', reason: '' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toContain('amount: amount: не меньше 1 (at least 1)');
    expect(r.message).toContain('unit: unit: workingDays или calendarDays');
    expect(r.message).toContain('reason: reason не может быть пустым (must not be empty)');
    expect(r.message).not.toContain('ZqPII1');
  });
});

describe('the feedback workflow guards agree with the zod schemas (shared/feedbackRules.ts)', () => {
  const served = { outcome: 'resultIssued', servedAt: '2026-03-02T10:00:00+03:00', contact: { phone: '+79161234567', email: 'a@example.ru' } };
  const cases: [string, z.ZodType, Guard<unknown>, Record<string, unknown>][] = [
    ['input', feedbackInputSchema, FeedbackInputGuard as Guard<unknown>, { applicationNumber: 'N-1', serviceCode: 'archive-certificate', served, reactionTermWorkingDays: 5 }],
    ['flagComment', flagCommentSchema, FlagCommentGuard as Guard<unknown>, { ratingId: 7, clerk: 'ivanova' }],
    ['recordMeasure', recordMeasureSchema, RecordMeasureGuard as Guard<unknown>, { reactionId: 'N-1:rating-7', head: 'head', measure: 'Провели беседу с сотрудником' }],
    ['reactionActor', reactionActorSchema, ReactionActorGuard as Guard<unknown>, { reactionId: 'N-1:rating-7', head: 'head' }],
  ];
  const values = fc.oneof(
    edgy,
    fc.constantFrom('2026-13-01T00:00:00Z', '2026-03-02T10:00:00Z', '2026-03-02T10:00:00', '+7916123456', '+79161234567', 'a@b', 'x..y@example.ru', 30, 31, 180, 0),
    fc.record({ outcome: fc.option(edgy, { nil: undefined }), servedAt: fc.option(edgy, { nil: undefined }), contact: fc.option(fc.oneof(edgy, fc.record({ phone: edgy, email: edgy })), { nil: undefined }) }),
  );
  it.each(cases)('%s', (_name, schema, guard, plausibleArgs) => {
    const args = fc.oneof(
      hostileValue,
      fc.array(fc.tuple(fc.constantFrom(...Object.keys(plausibleArgs), 'served', 'quietDays', 'extra'), fc.option(values, { nil: undefined })), { maxLength: 3 }).map((changes) => {
        const out: Record<string, unknown> = { ...plausibleArgs };
        for (const [k, v] of changes) out[k] = v;
        return out;
      }),
    );
    fc.assert(fc.property(args, (a) => agree(schema, guard, a)), { numRuns: 400, seed: 19 });
  });

  it('a rejected message names the field and the rule', () => {
    const r = checkFeedback(RecordMeasureGuard, { reactionId: 'N-1:rating-7', head: 'head', measure: 'ok' });
    expect(r).toEqual({ ok: false, message: 'measure: measure: опишите принятые меры, не менее 10 символов (describe the measure taken, at least 10 characters)' });
    const input = checkFeedback(FeedbackInputGuard, { applicationNumber: 'N-1', serviceCode: 'x', quietDays: 0, served: { ...served, servedAt: 'yesterday' } });
    expect(input.ok).toBe(false);
    if (!input.ok) {
      expect(input.message).toContain('served.servedAt: served.servedAt: момент ISO 8601');
      expect(input.message).toContain('quietDays: quietDays: от 1 до 365 дней');
    }
  });
});
