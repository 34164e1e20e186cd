// Clerk actions (Workflow Updates) and ЕПГУ callbacks (Signals) as zod schemas, for the client and the tests.
// Built from the rules in clerkActionRules.ts, which the workflow checks with zod-free guards; the names, the
// stage machine and the titles are re-exported from there.
import { z } from 'zod';
import { ARG_RULES as R, ClerkActionName } from './clerkActionRules';
import type { FactsRule, StringRule } from './guards';
import { boundedString, plainString } from './plainText';

export * from './clerkActionRules';

type Bound = readonly [number, string?];
export const bounded = <T extends { min(n: number, m?: string): T; max(n: number, m?: string): T }>(t: T, rule: { min?: Bound; max?: Bound }): T => {
  let out = t;
  if (rule.min) out = out.min(rule.min[0], rule.min[1]);
  if (rule.max) out = out.max(rule.max[0], rule.max[1]);
  return out;
};
/** The zod schema of a string rule: shared/plainText.ts `plainString` or `boundedString`, then its format. */
export const zstr = (rule: StringRule): z.ZodString => {
  const base = rule.plain
    ? plainString(rule.field, rule.max, { min: rule.min, multiline: rule.plain === 'text' })
    : boundedString(rule.field, rule.max);
  return rule.pattern ? base.regex(rule.pattern.regex, rule.pattern.message) : base;
};

/** Checked by hand rather than as a union so an oversized list item is named by its own path. */
const zfacts = (rule: FactsRule) => {
  const value = z.unknown().superRefine((v, ctx) => {
    if (typeof v === 'string') {
      if (v.length > rule.valueMax[0]) ctx.addIssue({ code: 'custom', message: rule.valueMax[1] });
    } else if (Array.isArray(v)) {
      if (v.length > rule.listMax[0]) ctx.addIssue({ code: 'custom', message: rule.listMax[1] });
      else v.forEach((item, i) => {
        if (typeof item !== 'string') ctx.addIssue({ code: 'custom', path: [i], message: rule.type });
        else if (item.length > rule.valueMax[0]) ctx.addIssue({ code: 'custom', path: [i], message: rule.valueMax[1] });
      });
    } else if (v !== undefined && typeof v !== 'number' && typeof v !== 'boolean') {
      ctx.addIssue({ code: 'custom', message: rule.type });
    }
  });
  return z.record(zstr(rule.name), value).refine((f) => Object.keys(f).length <= rule.maxFacts[0], rule.maxFacts[1]);
};

const clerkId = zstr(R.clerk);
// Structure and size only: the grounds catalog of the service checks codes and fact values (the letter activity).
const refusalGrounds = bounded(z.array(z.object({ code: zstr(R.groundCode), facts: zfacts(R.facts) }), { message: R.grounds.type }), R.grounds);
const note = zstr(R.note).optional();

export const ClerkActionSchemas = {
  register: z.object({ clerk: clerkId, note }),
  startReview: z.object({ clerk: clerkId, note }),
  requestInteragency: z.object({ clerk: clerkId, agencies: bounded(z.array(zstr(R.agency)), R.agencies), note }),
  recordInteragencyAnswer: z.object({ clerk: clerkId, agency: zstr(R.agency), note }),
  requestFromApplicant: z.object({ clerk: clerkId, kind: z.enum(R.requestKind.values, { message: R.requestKind.message }), note }),
  draftDecision: z
    .object({ clerk: clerkId, outcome: z.enum(R.outcome.values, { message: R.outcome.message }), grounds: refusalGrounds.optional(), note })
    .superRefine((a, ctx) => {
      if (a.outcome === 'refuse' && !a.grounds) ctx.addIssue({ code: 'custom', path: ['grounds'], message: R.refuseNeedsGrounds });
      if (a.outcome === 'approve' && a.grounds) ctx.addIssue({ code: 'custom', path: ['grounds'], message: R.approveHasNoGrounds });
    }),
  amendRefusal: z.object({ clerk: clerkId, grounds: refusalGrounds, note }),
  extendDeadline: z.object({
    clerk: clerkId,
    amount: bounded(z.number().int(), R.amount),
    unit: z.enum(R.unit.values, { message: R.unit.message }),
    reason: zstr(R.extensionReason),
  }),
  approve: z.object({ clerk: clerkId, note }),
  refuse: z.object({ clerk: clerkId, note }),
  issueResult: z.object({
    clerk: clerkId,
    note,
    /** The result document stored through documents/resultDocuments.ts: a reference, never the bytes. */
    document: z.object({ documentId: zstr(R.documentId), sha256: zstr(R.documentSha256) }).optional(),
  }),
  reassign: z.object({ clerk: clerkId, to: clerkId, reason: zstr(R.reassignReason) }),
  resolveDeliveryProblem: z.object({ clerk: clerkId, action: z.enum(R.resolution.values, { message: R.resolution.message }), note }),
} as const satisfies Record<ClerkActionName, z.ZodType>;

export const ApplicantRespondedSchema = z.object({ note: zstr(R.applicantNote).optional(), documents: bounded(z.array(zstr(R.applicantDocument)), R.applicantDocuments).optional() });
export const ApplicantCancelledSchema = z.object({ reason: zstr(R.cancellationReason).optional() });
