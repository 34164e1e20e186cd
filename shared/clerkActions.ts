// Clerk actions (Workflow Updates) and ЕПГУ callbacks (Signals) as zod schemas, for the client and the tests.
// Built from the rules in clerkActionRules.ts, which the workflow checks with zod-free guards; the names, the
// stage machine and the titles are re-exported from there.
import { z } from 'zod';
import { ARG_RULES as R, ClerkActionName } from './clerkActionRules';
import type { StringRule } from './guards';

export * from './clerkActionRules';

type Bound = readonly [number, string?];
const bounded = <T extends { min(n: number, m?: string): T; max(n: number, m?: string): T }>(t: T, rule: { min?: Bound; max?: Bound }): T => {
  let out = t;
  if (rule.min) out = out.min(rule.min[0], rule.min[1]);
  if (rule.max) out = out.max(rule.max[0], rule.max[1]);
  return out;
};
const zstr = (rule: StringRule) => {
  const base = rule.required ? z.string({ message: rule.required }) : z.string();
  return bounded(rule.trim ? base.trim() : base, rule);
};

const clerkId = zstr(R.clerk);
// Structure only: the grounds catalog of the service checks codes and facts (client, and the letter activity).
const refusalGrounds = bounded(z.array(z.object({ code: zstr(R.groundCode), facts: z.record(z.string(), z.unknown()) }), { message: R.grounds.type }), R.grounds);
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
  issueResult: z.object({ clerk: clerkId, note }),
  reassign: z.object({ clerk: clerkId, to: clerkId, reason: zstr(R.reassignReason) }),
  resolveDeliveryProblem: z.object({ clerk: clerkId, action: z.enum(R.resolution.values, { message: R.resolution.message }), note }),
} as const satisfies Record<ClerkActionName, z.ZodType>;

export const ApplicantRespondedSchema = z.object({ note: zstr(R.applicantNote).optional(), documents: bounded(z.array(zstr(R.applicantDocument)), R.applicantDocuments).optional() });
export const ApplicantCancelledSchema = z.object({ reason: zstr(R.applicantNote).optional() });
