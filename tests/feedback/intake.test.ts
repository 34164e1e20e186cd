// Ratings intake against real PostgreSQL and the rating-system emulator over HTTP: the same batch twice,
// ratings out of range, unknown applications, a 10 MB comment and malformed XML — each counted or rejected
// with a reason, nothing lost (quarantined, sealed) and nothing counted twice.
import { Pool } from 'pg';
import { openText } from '../../security/sealedColumns';
import { buildRatesXml } from '../../feedback/mkguXml';
import { commentContext, quarantineContext } from '../../feedback/ratingIntake';
import { MAX_BATCH_BYTES } from '../../feedback/ratingSchemas';
import { readStack, TEST_CODEC_KEYS, uniqueNumber } from '../support/harness';
import { insertClosedCase, startFeedbackParts } from './support';

let pool: Pool;
let parts: Awaited<ReturnType<typeof startFeedbackParts>>;

beforeAll(async () => {
  pool = new Pool({ connectionString: readStack().databaseUrl, max: 3 });
  parts = await startFeedbackParts(pool);
});
afterAll(async () => {
  await parts?.stop();
  await pool?.end();
});

const at = '2026-11-25T10:15:00+03:00';
const count = async (sql: string, args: unknown[]) => Number((await pool.query(sql, args)).rows[0].n);

it('takes a batch once: the same batch again counts only duplicates', async () => {
  const a = uniqueNumber('IN');
  const b = uniqueNumber('IN');
  await insertClosedCase(pool, a);
  await insertClosedCase(pool, b, { outcome: 'refused' });
  const xml = buildRatesXml(
    [
      { externalId: `${a}-1`, applicationNumber: a, ratedAt: at, criteria: { '2.1': 5, '2.3': 5, '2.5': 4 }, comment: 'Спасибо, Иванова А.С. всё объяснила' },
      { externalId: `${b}-1`, applicationNumber: b, ratedAt: at, criteria: { '2.1': 2 } },
    ],
    { batchId: 'B-1' },
  );
  const first = await parts.intake.ingestXml('mkgu', xml);
  const second = await parts.intake.ingestXml('mkgu', xml);
  expect(first).toMatchObject({ accepted: 2, duplicates: 0, quarantined: 0, rejected: false });
  expect(second).toMatchObject({ accepted: 0, duplicates: 2, quarantined: 0, rejected: false });
  expect(await count('SELECT count(*) AS n FROM feedback_ratings WHERE application_number = ANY($1)', [[a, b]])).toBe(2);
  const rows = (await pool.query('SELECT external_id, overall, critical, criteria, comment_sealed FROM feedback_ratings WHERE application_number = ANY($1) ORDER BY external_id', [[a, b]])).rows;
  const byId = Object.fromEntries(rows.map((r) => [r.external_id, r]));
  expect(byId[`${a}-1`]).toMatchObject({ overall: '4.67', critical: false, criteria: { '2.1': 5, '2.3': 5, '2.5': 4 } });
  expect(byId[`${b}-1`]).toMatchObject({ overall: '2.00', critical: true });
  // The comment names a person: sealed in PostgreSQL, readable with the keys.
  expect(Buffer.from(byId[`${a}-1`].comment_sealed).toString('utf8')).not.toContain('Иванова');
  expect(openText(TEST_CODEC_KEYS, byId[`${a}-1`].comment_sealed, commentContext('mkgu', `${a}-1`))).toBe('Спасибо, Иванова А.С. всё объяснила');
  // Both receipts are on record.
  expect(await count(`SELECT count(*) AS n FROM feedback_intake_batches WHERE id = ANY($1)`, [[first.batchRowId, second.batchRowId]])).toBe(2);
});

it('quarantines ratings out of range and for unknown applications, with the reason, and keeps the good ones of the batch', async () => {
  const known = uniqueNumber('IN');
  const unknown = uniqueNumber('NOPE');
  await insertClosedCase(pool, known);
  const xml = buildRatesXml([
    { externalId: `${known}-ok`, applicationNumber: known, ratedAt: at, criteria: { '2.1': 4 } },
    { externalId: `${known}-six`, applicationNumber: known, ratedAt: at, criteria: { '2.1': 6 } },
    { externalId: `${known}-zero`, applicationNumber: known, ratedAt: at, criteria: { '2.2': 0 } },
    { externalId: `${known}-text`, applicationNumber: known, ratedAt: at, criteria: { '2.3': 'отлично' } },
    { externalId: `${known}-crit`, applicationNumber: known, ratedAt: at, criteria: { '7.7': 5 } },
    { externalId: `${known}-nodate`, applicationNumber: known, ratedAt: 'вчера', criteria: { '2.1': 5 } },
    { externalId: `${unknown}-1`, applicationNumber: unknown, ratedAt: at, criteria: { '2.1': 1 }, comment: 'Никто не перезвонил' },
  ]);
  const r = await parts.intake.ingestXml('mkgu', xml);
  expect(r).toMatchObject({ accepted: 1, quarantined: 6, duplicates: 0, rejected: false });
  const reasons = Object.fromEntries(r.problems.map((p) => [p.externalId, p]));
  expect(reasons[`${known}-six`]!.reason).toContain('criteria.2.1: must be from 1 to 5');
  expect(reasons[`${known}-zero`]!.reason).toContain('criteria.2.2: must be from 1 to 5');
  expect(reasons[`${known}-text`]!.reason).toContain('criteria.2.3');
  expect(reasons[`${known}-crit`]!.reason).toContain('criteria');
  expect(reasons[`${known}-nodate`]!.reason).toContain('ratedAt');
  expect(reasons[`${unknown}-1`]).toMatchObject({ reasonCode: 'unknownApplication' });
  // Nothing lost: each one is in the quarantine with its reason and its sealed payload.
  const q = (await pool.query('SELECT external_id, reason_code, reason, payload_sealed FROM feedback_quarantine WHERE external_id LIKE $1 OR external_id LIKE $2 ORDER BY id', [`${known}-%`, `${unknown}-%`])).rows;
  expect(q).toHaveLength(6);
  const unknownRow = q.find((row) => row.external_id === `${unknown}-1`)!;
  expect(unknownRow.reason_code).toBe('unknownApplication');
  expect(Buffer.from(unknownRow.payload_sealed).toString('utf8')).not.toContain('перезвонил');
  expect(openText(TEST_CODEC_KEYS, unknownRow.payload_sealed, quarantineContext('mkgu', `${unknown}-1`))).toContain('Никто не перезвонил');
  // Sent again: counted as duplicates, the quarantine does not grow.
  const again = await parts.intake.ingestXml('mkgu', xml);
  expect(again).toMatchObject({ accepted: 0, quarantined: 0, duplicates: 7 });
  // The application becomes known (registered late): the same rating is taken and released from quarantine.
  await insertClosedCase(pool, unknown);
  const later = await parts.intake.ingestXml('mkgu', xml);
  expect(later).toMatchObject({ accepted: 1, duplicates: 6 });
  expect((await pool.query('SELECT released_at FROM feedback_quarantine WHERE external_id = $1', [`${unknown}-1`])).rows[0].released_at).not.toBeNull();
});

it('rejects a 10 MB document before parsing it and keeps a 10 MB comment of a JSON rating out, with reasons', async () => {
  const no = uniqueNumber('IN');
  await insertClosedCase(pool, no);
  const huge = 'ж'.repeat(5 * 1024 * 1024); // 10 MB in UTF-8
  const xml = buildRatesXml([{ externalId: `${no}-big`, applicationNumber: no, ratedAt: at, criteria: { '2.1': 5 }, comment: huge }]);
  const r = await parts.intake.ingestXml('mkgu', xml);
  expect(r.rejected).toBe(true);
  expect(r.reason).toContain(`exceeds ${MAX_BATCH_BYTES} bytes`);
  const batch = (await pool.query('SELECT rejected, reason, bytes FROM feedback_intake_batches WHERE id = $1', [r.batchRowId])).rows[0];
  expect(batch).toMatchObject({ rejected: true });
  expect(batch.bytes).toBeGreaterThan(10_000_000);

  // The questionnaire pushes JSON: the oversized comment fails its rating only; the other one is taken.
  const items = [
    { externalId: `${no}-q1`, applicationNumber: no, ratedAt: at, criteria: { '2.6': 5, '2.8': 4 } },
    { externalId: `${no}-q2`, applicationNumber: no, ratedAt: at, criteria: { '2.6': 1 }, comment: huge },
  ];
  const q = await parts.intake.ingestItems('epguQuestionnaire', items, 3_000_000);
  expect(q).toMatchObject({ accepted: 1, quarantined: 1, rejected: false });
  expect(q.problems[0]!.reason).toContain('comment: must be at most 4000 characters');
  const kept = (await pool.query('SELECT payload_truncated, length(payload_sealed) AS len FROM feedback_quarantine WHERE external_id = $1', [`${no}-q2`])).rows[0];
  expect(kept.payload_truncated).toBe(true);
  expect(kept.len).toBeLessThan(70 * 1024);
  // A body over the limit is refused whole, with its reason.
  const tooBig = await parts.intake.ingestItems('smsSurvey', [], MAX_BATCH_BYTES + 1);
  expect(tooBig).toMatchObject({ rejected: true, reason: `batch exceeds ${MAX_BATCH_BYTES} bytes` });
});

it('refuses malformed XML and hostile documents with a reason and takes nothing from them', async () => {
  const no = uniqueNumber('IN');
  await insertClosedCase(pool, no);
  const cases: [string, string][] = [
    [`<rates><rate id="${no}-m1"><orderNumber>${no}</orderNumber>`, 'malformed XML'],
    [`<!DOCTYPE r [<!ENTITY x "y">]><rates/>`, 'malformed XML'],
    [`<ratings><rate id="x"/></ratings>`, 'root element must be <rates>'],
    ['', 'malformed XML'],
  ];
  for (const [xml, reason] of cases) {
    const r = await parts.intake.ingestXml('mkgu', xml);
    expect(r.rejected).toBe(true);
    expect(r.reason).toContain(reason);
  }
  expect(await count('SELECT count(*) AS n FROM feedback_ratings WHERE application_number = $1', [no])).toBe(0);
});

it('pulls pages from the rating system over HTTP, moves the cursor, and a repeated pull adds nothing', async () => {
  const no = uniqueNumber('IN');
  await insertClosedCase(pool, no);
  const rates = Array.from({ length: 120 }, (_, i) => ({ externalId: `${no}-p${i}`, applicationNumber: no, ratedAt: at, criteria: { '2.1': (i % 5) + 1 } }));
  // The cursor is kept per rating-system endpoint; a port reused from an earlier emulator must not resume its cursor.
  await pool.query(`DELETE FROM feedback_pull_cursor WHERE source = $1`, [`mkgu ${parts.mkgu.url}`]);
  parts.mkgu.queueRates(rates);
  const first = await parts.activities.pullRatingsFromMkgu();
  expect(first.accepted).toBe(120);
  expect(first.pages).toBeGreaterThanOrEqual(3); // 50 per page
  const second = await parts.activities.pullRatingsFromMkgu();
  expect(second.accepted).toBe(0);
  expect(await count('SELECT count(*) AS n FROM feedback_ratings WHERE application_number = $1', [no])).toBe(120);
});
