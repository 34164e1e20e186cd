// Response bodies of the API as zod schemas: the OpenAPI document is generated from them and the contract
// tests validate every answer against it. They mirror shared/lifecycle.ts and escalation/taskBoard.ts.
import { z } from 'zod';
import { ApplicationNumberSchema, STAGES } from '../shared';

export const StageSchema = z.enum(STAGES);

export const CaseEventSchema = z.object({
  seq: z.number().int(),
  stage: StageSchema,
  action: z.string(),
  actor: z.string(),
  at: z.string(),
  note: z.string().optional(),
});

export const ElkStatusItemSchema = z.object({
  seq: z.number().int(),
  stage: StageSchema,
  elkStatus: z.number().int(),
  statusDate: z.string(),
  requestType: z.enum(['CreateOrdersRequest', 'UpdateOrdersRequest']),
  state: z.enum(['pending', 'delivered', 'skipped']),
  generation: z.number().int(),
  // The file that goes with the status (shared/lifecycle ElkAttachmentRef); {fsUuid, docTypeId} is the shape of
  // cases started before files were uploaded to SMEV storage.
  attachment: z
    .union([
      z.object({ kind: z.literal('refusalLetter'), letterId: z.string(), docTypeId: z.string() }),
      z.object({ kind: z.literal('resultDocument'), documentId: z.string(), sha256: z.string(), docTypeId: z.string() }),
      z.object({ fsUuid: z.string(), docTypeId: z.string() }),
    ])
    .optional(),
});

export const CaseSnapshotSchema = z.object({
  applicationNumber: z.string(),
  serviceCode: z.string(),
  stage: StageSchema,
  assignedClerk: z.string().nullable(),
  deadline: z.string().nullable(),
  overdue: z.boolean(),
  suspended: z.boolean(),
  history: z.array(CaseEventSchema),
  elk: z.object({
    items: z.array(ElkStatusItemSchema),
    delivered: z.number().int(),
    problem: z.object({ seq: z.number().int(), code: z.union([z.number(), z.string()]), message: z.string(), taskKey: z.string() }).nullable(),
  }),
});

export const StartResultSchema = z.object({
  applicationNumber: z.string(),
  started: z.boolean().describe('false when the application number was already started (the same case is returned)'),
});

export const DeadlineSchema = z.object({ applicationNumber: z.string(), deadline: z.string().nullable(), overdue: z.boolean(), suspended: z.boolean() });

export const RefusalDraftSchema = z.object({
  letterId: z.string(),
  version: z.number().int(),
  contentHash: z.string(),
  templateVersion: z.string(),
  groundCodes: z.array(z.string()),
  text: z.string(),
});

export const TaskSchema = z.object({
  id: z.number().int(),
  taskKey: z.string(),
  applicationNumber: z.string(),
  kind: z.string(),
  assigneeRole: z.string(),
  assignee: z.string().nullable(),
  title: z.string(),
  body: z.string(),
  dueAt: z.string().nullable(),
  createdAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
});

/** One row of the case list (cases/caseList.ts CaseListRow): the projection, no personal data. */
export const CaseListRowSchema = z.object({
  applicationNumber: z.string(),
  serviceCode: z.string(),
  channel: z.string(),
  stage: StageSchema,
  stageTitle: z.string().describe('название стадии для людей (STAGE_TITLES_RU)'),
  assignedClerk: z.string().nullable(),
  deadline: z.string().nullable().describe('регламентный срок, ISO 8601; null до начала течения срока'),
  dueDate: z.string().nullable().describe('дата срока в часовом поясе ведомства, YYYY-MM-DD'),
  overdue: z.boolean().describe('отмечено просроченным или срок прошёл (для закрытых — до завершения)'),
  receivedAt: z.string(),
  registeredAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  outcome: z.string().nullable(),
});

export const CaseListSchema = z.object({
  items: z.array(CaseListRowSchema),
  nextCursor: z.string().nullable().describe('передайте как cursor для следующей страницы; null — последняя страница (pass as cursor; null on the last page)'),
});

export const AcceptedSchema = z.object({ accepted: z.literal(true) });

export const WeeklyReportSchema = z.object({
  department: z.string(),
  periodStart: z.string(),
  periodEnd: z.string(),
  generatedAt: z.string(),
  contentSha256: z.string(),
  figures: z.record(z.string(), z.unknown()),
});

export const ApplicationNumberParams = z.object({ applicationNumber: ApplicationNumberSchema });
