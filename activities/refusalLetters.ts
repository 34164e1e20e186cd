// Refusal letters are rendered and stored before the refusal can be issued: prepareRefusalLetter stores each
// draft the clerk previews; issueRefusalLetter marks the approved draft as issued and returns the attachment
// reference that goes out with the ЕЛК status «Отказано». A refusal status is never queued before that.
import { ApplicationFailure } from '@temporalio/activity';
import type { Pool } from 'pg';
import { v4 as uuidv4 } from 'uuid';
import { localDateOf } from '../calendar';
import type { CodecKeys } from '../codec';
import { openBytes, openText, sealBytes, sealText } from '../security';
import { RefusalRenderer, RefusalValidationError } from '../refusal';
import { type Applicant, REFUSAL_VALIDATION_ERROR, type RefusalDraft } from '../shared';
import { heartbeatingWhile } from './heartbeat';


export interface PrepareRefusalInput {
  applicationNumber: string;
  serviceCode: string;
  version: number;
  applicant: Applicant;
  clerk: string;
  /** Workflow time of the decision; the letter's date is its local date in the department's zone. */
  decidedAt: string;
  grounds: { code: string; facts: Record<string, unknown> }[];
}

export type { RefusalDraft };

export interface StoredRefusalLetter {
  letterId: string;
  version: number;
  groundCodes: string[];
  text: string;
  html: string;
  pdf: Buffer;
  contentHash: string;
  templateVersion: string;
  createdAt: Date;
  issuedAt: Date | null;
}

const sealContext = (applicationNumber: string, version: number, part: 'text' | 'html' | 'pdf') => `refusal_letters:${applicationNumber}:${version}:${part}`;

/** Reads and unseals the stored letters of a case (all versions, oldest first), for re-issue, appeal and tests. */
export async function readRefusalLetters(pool: Pool, keys: CodecKeys, applicationNumber: string): Promise<StoredRefusalLetter[]> {
  const { rows } = await pool.query(
    `SELECT letter_id, version, ground_codes, text_sealed, html_sealed, pdf_sealed, content_sha256, template_version, created_at, issued_at
       FROM refusal_letters WHERE application_number = $1 ORDER BY version`,
    [applicationNumber],
  );
  return rows.map((r) => ({
    letterId: r.letter_id,
    version: r.version,
    groundCodes: r.ground_codes,
    text: openText(keys, r.text_sealed, sealContext(applicationNumber, r.version, 'text')),
    html: openText(keys, r.html_sealed, sealContext(applicationNumber, r.version, 'html')),
    pdf: openBytes(keys, r.pdf_sealed, sealContext(applicationNumber, r.version, 'pdf')),
    contentHash: r.content_sha256,
    templateVersion: r.template_version,
    createdAt: r.created_at,
    issuedAt: r.issued_at,
  }));
}

export function createRefusalActivities(deps: {
  pool: Pool;
  renderer: RefusalRenderer;
  /** Payload keys: letters are sealed with them at rest. */
  keys: CodecKeys;
  timeZone: string;
  /** Clerk id → name and position printed under the letter. */
  signatory?: (clerk: string) => { name: string; position: string };
}) {
  const signatory = deps.signatory ?? ((clerk: string) => ({ name: clerk, position: 'Специалист' }));
  const activities = {
    async prepareRefusalLetter(input: PrepareRefusalInput): Promise<RefusalDraft> {
      if (input.applicant.kind !== 'person') {
        throw ApplicationFailure.create({
          type: REFUSAL_VALIDATION_ERROR,
          message: 'applicant.kind: письма об отказе организациям пока не поддерживаются (refusal letters for organisations are not supported yet)',
          nonRetryable: true,
        });
      }
      // Idempotent: a retried attempt returns the draft an earlier attempt stored.
      const existing = (await readRefusalLetters(deps.pool, deps.keys, input.applicationNumber)).find((l) => l.version === input.version);
      if (existing) {
        const { letterId, version, contentHash, templateVersion, groundCodes, text } = existing;
        return { letterId, version, contentHash, templateVersion, groundCodes, text };
      }
      const a = input.applicant;
      let letter;
      try {
        letter = await deps.renderer.render({
          serviceCode: input.serviceCode,
          applicationNumber: input.applicationNumber,
          applicant: {
            lastName: a.lastName,
            firstName: a.firstName,
            ...(a.middleName ? { middleName: a.middleName } : {}),
            ...(a.gender ? { gender: a.gender } : {}),
            ...(a.postalAddress ? { postalAddress: a.postalAddress } : {}),
          },
          decisionDate: localDateOf(new Date(input.decidedAt), deps.timeZone),
          clerk: signatory(input.clerk),
          grounds: input.grounds,
        });
      } catch (err) {
        if (err instanceof RefusalValidationError) {
          throw ApplicationFailure.create({ type: REFUSAL_VALIDATION_ERROR, message: err.message, nonRetryable: true });
        }
        throw err;
      }
      const letterId = uuidv4();
      await deps.pool.query(
        `INSERT INTO refusal_letters (letter_id, application_number, version, service_code, ground_codes, text_sealed, html_sealed,
                                      pdf_sealed, content_sha256, template_version, drafted_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (application_number, version) DO NOTHING`,
        [letterId, input.applicationNumber, input.version, input.serviceCode, letter.groundCodes,
         sealText(deps.keys, letter.text, sealContext(input.applicationNumber, input.version, 'text')),
         sealText(deps.keys, letter.html, sealContext(input.applicationNumber, input.version, 'html')),
         sealBytes(deps.keys, letter.pdf, sealContext(input.applicationNumber, input.version, 'pdf')),
         letter.contentHash, letter.templateVersion, input.clerk],
      );
      const stored = await deps.pool.query(`SELECT letter_id FROM refusal_letters WHERE application_number = $1 AND version = $2`, [
        input.applicationNumber,
        input.version,
      ]);
      return {
        letterId: stored.rows[0].letter_id,
        version: input.version,
        contentHash: letter.contentHash,
        templateVersion: letter.templateVersion,
        groundCodes: letter.groundCodes,
        text: letter.text,
      };
    },

    async issueRefusalLetter(input: { applicationNumber: string; letterId: string; clerk: string }): Promise<{ kind: 'refusalLetter'; letterId: string; docTypeId: string }> {
      const { rows } = await deps.pool.query(
        `UPDATE refusal_letters SET issued_at = COALESCE(issued_at, clock_timestamp()), issued_by = COALESCE(issued_by, $3)
          WHERE application_number = $1 AND letter_id = $2 AND length(pdf_sealed) > 0 AND length(text_sealed) > 0
          RETURNING letter_id`,
        [input.applicationNumber, input.letterId, input.clerk],
      );
      if (!rows[0]) {
        throw ApplicationFailure.nonRetryable(`refusal letter ${input.letterId} is not stored for ${input.applicationNumber}`, 'RefusalLetterMissing');
      }
      // The letter travels as the status attachment: the delivery activity uploads its PDF and sends the SMEV file
      // storage id as FSuuid. docTypeId from ЕСНСИ «ЕЛК.Типы документов (вложений)».
      return { kind: 'refusalLetter', letterId: input.letterId, docTypeId: 'ELK_RESULT' };
    },
  };
  return {
    ...activities,
    // Heartbeats through the whole preparation (reading drafts, rendering the PDF, storing it): a worker killed
    // mid-render is noticed within the heartbeat timeout, not after the 2-minute start-to-close.
    prepareRefusalLetter: (input: PrepareRefusalInput): Promise<RefusalDraft> => heartbeatingWhile(() => activities.prepareRefusalLetter(input)),
  };
}
