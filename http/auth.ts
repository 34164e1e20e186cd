// Who is calling: bearer tokens with a role, a subject (the clerk id for clerks) and a department, read from
// the environment (CASE_API_TOKENS, validated at start-up). Only a hash prefix of a token ever reaches a log or
// the audit table, never the token itself.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { HttpProblem } from './problem';

export const API_ROLES = ['caseSystem', 'clerk', 'head', 'management', 'operator'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export const API_ROLE_LABELS_RU: Record<ApiRole, string> = {
  caseSystem: 'ведомственная система (ВИС)',
  clerk: 'исполнитель',
  head: 'руководитель подразделения',
  management: 'руководство ведомства',
  operator: 'оператор (ИТ)',
};

const departmentId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'department: латиница, цифры и дефис (a-z, 0-9, -)');

export const ApiTokenSchema = z
  .object({
    // Printable ASCII only: a token travels in a header, and short tokens can be guessed.
    token: z
      .string()
      .min(32, 'token: не короче 32 символов (at least 32 characters)')
      .max(256, 'token: не длиннее 256 символов (at most 256 characters)')
      .regex(/^[\x21-\x7e]+$/, 'token: только печатные символы ASCII без пробелов (printable ASCII, no spaces)'),
    role: z.enum(API_ROLES, { message: `role: одна из ${API_ROLES.join(', ')} (one of)` }),
    subject: z.string().regex(/^[A-Za-z0-9._@-]{1,100}$/, 'subject: латиница, цифры, . _ @ - (1–100 characters)'),
    department: departmentId.optional(),
    expiresAt: z.iso.datetime({ offset: true, message: 'expiresAt: ISO 8601 с часовым поясом (ISO 8601 with offset)' }).optional(),
  })
  .strict();
export type ApiToken = z.infer<typeof ApiTokenSchema>;

export const ApiTokenListSchema = z
  .array(ApiTokenSchema)
  .max(10_000)
  .superRefine((tokens, ctx) => {
    const seen = new Set<string>();
    tokens.forEach((t, i) => {
      if (seen.has(t.token)) ctx.addIssue({ code: 'custom', path: [i, 'token'], message: 'token: повторяется (duplicate token)' });
      seen.add(t.token);
    });
  });

/** Parses the CASE_API_TOKENS value (a JSON array); the zod issues name the entry and field, never the token. */
export function parseApiTokens(json: string): ApiToken[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('CASE_API_TOKENS: ожидается JSON-массив (JSON array expected)');
  }
  const r = ApiTokenListSchema.safeParse(raw);
  if (!r.success) throw new Error(`CASE_API_TOKENS: ${r.error.issues.map((i) => `[${i.path.join('.')}] ${i.message}`).join('; ')}`);
  return r.data;
}

export interface Caller {
  role: ApiRole;
  subject: string;
  department: string;
  /** First 12 hex digits of the token's SHA-256: identifies the token in the audit without revealing it. */
  tokenId: string;
}

/** The token of an `Authorization: Bearer <token>` header (printable ASCII, at most 256 characters), else null. */
export function bearerToken(authorization: string): string | null {
  return /^Bearer ([\x21-\x7e]{1,256})$/.exec(authorization)?.[1] ?? null;
}

/** Thrown for a missing, unknown or expired token; carries the token id (if any) for the audit. */
export class AuthenticationProblem extends HttpProblem {
  constructor(
    detail: string,
    readonly presentedTokenId: string | null,
  ) {
    super(401, 'unauthenticated', 'Требуется действительный токен (authentication required)', detail, undefined, {
      'www-authenticate': 'Bearer realm="case-lifecycle"',
    });
  }
}

export class TokenRegistry {
  private readonly byHash = new Map<string, { token: ApiToken; department: string }>();

  constructor(
    tokens: readonly ApiToken[],
    private readonly defaultDepartment: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    // Looked up by hash: the comparison never runs over the secret itself byte by byte.
    for (const t of tokens) this.byHash.set(createHash('sha256').update(t.token).digest('hex'), { token: t, department: t.department ?? defaultDepartment });
  }

  get size(): number {
    return this.byHash.size;
  }

  /** A token's entry (if known), its id, and whether it has expired: the one lookup behind both readers below. */
  private lookup(token: string) {
    const hash = createHash('sha256').update(token).digest('hex');
    const entry = this.byHash.get(hash);
    const expired = !!entry?.token.expiresAt && Date.parse(entry.token.expiresAt) <= this.clock().getTime();
    return { entry, id: hash.slice(0, 12), expired };
  }

  /** The id of a token this registry knows and that has not expired, else null (never throws). */
  knownTokenId(token: string): string | null {
    if (token.length > 256) return null;
    const { entry, id, expired } = this.lookup(token);
    return entry && !expired ? id : null;
  }

  authenticate(authorization: string | undefined): Caller {
    if (!authorization) throw new AuthenticationProblem('нет заголовка Authorization: Bearer <token> (missing Authorization header)', null);
    const token = bearerToken(authorization);
    if (token === null) throw new AuthenticationProblem('Authorization: ожидается «Bearer <token>» (expected Bearer scheme)', null);
    const { entry, id, expired } = this.lookup(token);
    if (!entry) throw new AuthenticationProblem('токен не распознан (unknown token)', id);
    if (expired) throw new AuthenticationProblem('срок действия токена истёк (token expired)', id);
    return { role: entry.token.role, subject: entry.token.subject, department: entry.department, tokenId: id };
  }
}
