// Operator's command line: the case list, which cases are due soon, which are overdue, and the latest weekly report.
//   npm run cases -- list [--stage underReview,registered] [--clerk ivanova] [--overdue] [--unassigned] [--service …]
//                         [--open true|false|any] [--due-before ISO] [--received-from ISO] [--received-to ISO]
//                         [--order deadline|received|receivedDesc] [--limit 50] [--cursor …]
//   npm run cases -- due 5 [--service construction-permit] [--clerk ivanova]
//   npm run cases -- overdue [--service …] [--clerk …]
//   npm run cases -- counts
//   npm run cases -- report [--html]
//   npm run cases -- ratings low [--days 30] | reactions | quarantine | summary [--week YYYY-MM-DD]
//   npm run cases -- ratings flag <rating id> --clerk ID   (needs TEMPORAL_ADDRESS and CASE_PAYLOAD_KEYS)
// Reads DATABASE_URL (and DEPARTMENT_TIME_ZONE); with nothing configured it reads the demo's database.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { parseCodecKeys } from '../codec';
import { clientCodecOptions } from '../client';
import { createCommentFlagger } from '../feedback';
import { ProductionCalendar } from '../calendar';
import { caseListRequestOf, CaseListQuerySchema, listCases } from '../cases';
import { InputValidationError, problemsOf } from '../shared';
import { countsByServiceAndClerk, dueWithinWorkingDays, overdueCases } from '../escalation';
import { formatReportText, loadLatestReport } from '../reports';
import { previousWeek } from '../reports';
import { loadSatisfactionFigures } from '../reports';
import { renderSatisfactionText } from '../reports';
import { loadWorkerConfig } from '../worker';
import { ROOT, startLocalPostgres } from './localStack';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const [command = 'help', arg] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  const config = loadWorkerConfig();
  const demoPg = !config.DATABASE_URL && fs.existsSync(path.join(ROOT, '.data/demo/pg')) ? await startLocalPostgres({ dataDir: path.join(ROOT, '.data/demo/pg') }) : null;
  const url = config.DATABASE_URL ?? demoPg?.url;
  if (!url) throw new Error('DATABASE_URL is not set and there is no demo database (run npm start first)');
  const pool = new Pool({ connectionString: url });
  const filter = { ...(flag('service') ? { serviceCode: flag('service') } : {}), ...(flag('clerk') ? { clerk: flag('clerk') } : {}) };
  try {
    switch (command) {
      case 'list':
        await listCommand(pool);
        break;
      case 'due': {
        const n = Number(arg ?? 5);
        const rows = await dueWithinWorkingDays(pool, new ProductionCalendar(), config.DEPARTMENT_TIME_ZONE, n, filter);
        console.log(`Срок истекает в ближайшие ${n} раб. дн.: ${rows.length}`);
        for (const r of rows) console.log(`  ${r.applicationNumber}  ${r.serviceCode}  ${r.assignedClerk ?? '—'}  ${r.deadline}`);
        break;
      }
      case 'overdue': {
        const rows = await overdueCases(pool, filter);
        console.log(`Просрочено: ${rows.length}`);
        for (const r of rows) console.log(`  ${r.applicationNumber}  ${r.serviceCode}  ${r.assignedClerk ?? '—'}  ${r.deadline}`);
        break;
      }
      case 'counts':
        for (const r of await countsByServiceAndClerk(pool)) console.log(`  ${r.serviceCode}  ${r.assignedClerk ?? '—'}  открыто ${r.open}, просрочено ${r.overdue}`);
        break;
      case 'report': {
        const report = await loadLatestReport(pool);
        if (!report) console.log('Отчётов ещё нет (no report yet)');
        else console.log(process.argv.includes('--html') ? report.html : formatReportText(report));
        break;
      }
      case 'ratings':
        if (arg === 'flag') await flagComment(pool, config);
        else await ratings(pool, arg ?? 'low', config.DEPARTMENT_TIME_ZONE);
        break;
      default:
        console.log('usage: npm run cases -- list [--stage S,S] [--clerk ID] [--overdue] [--unassigned] [--open true|false|any] [--due-before ISO] [--order O] [--limit N] [--cursor C] | due N | overdue | counts | report [--html] | ratings low|reactions|quarantine|summary|flag ID --clerk ID [--service CODE] [--clerk ID] [--days N] [--week YYYY-MM-DD]');
    }
  } finally {
    await pool.end();
    await demoPg?.stop();
  }
}

// The list's flags and the query-string fields they stand for: GET /cases and this command share one schema.
const LIST_FLAGS: Record<string, string> = {
  stage: 'stage',
  service: 'serviceCode',
  clerk: 'clerk',
  unassigned: 'unassigned',
  open: 'open',
  overdue: 'overdue',
  'due-before': 'dueBefore',
  'received-from': 'receivedFrom',
  'received-to': 'receivedTo',
  order: 'order',
  limit: 'limit',
  cursor: 'cursor',
};
const LIST_SWITCHES = new Set(['unassigned', 'overdue']);

/** The case list from the applications projection (the stage of new cases is not in Temporal visibility). */
async function listCommand(pool: Pool): Promise<void> {
  const query: Record<string, string> = {};
  for (const [name, field] of Object.entries(LIST_FLAGS)) {
    const i = process.argv.indexOf(`--${name}`);
    if (i < 0) continue;
    const next = process.argv[i + 1];
    // `--overdue` alone means true; `--overdue false` says otherwise.
    query[field] = LIST_SWITCHES.has(name) && (next === undefined || next.startsWith('--')) ? 'true' : (next ?? '');
  }
  const flagOf = Object.fromEntries(Object.entries(LIST_FLAGS).map(([name, field]) => [field, `--${name}`]));
  const parsed = CaseListQuerySchema.safeParse(query);
  if (!parsed.success) {
    const problems = problemsOf(parsed.error).map((p) => ({ field: flagOf[p.field.split(/[.[]/)[0]] ?? (p.field || '(root)'), rule: p.rule }));
    throw new InputValidationError('list: некорректные параметры (invalid options)', problems);
  }
  const { filter, page } = caseListRequestOf(parsed.data);
  const result = await listCases(pool, filter, page);
  console.log(`Заявлений на странице: ${result.items.length}`);
  for (const r of result.items) {
    const due = r.deadline ? `срок ${r.deadline}${r.overdue ? ' ПРОСРОЧЕНО' : ''}` : 'срок не начался';
    const done = r.completedAt ? `  завершено ${r.completedAt}` : '';
    console.log(`  ${r.applicationNumber}  ${r.serviceCode}  ${r.stageTitle}  ${r.assignedClerk ?? '—'}  ${due}${done}`);
  }
  if (result.nextCursor) console.log(`Дальше (next page): тот же запрос с --cursor ${result.nextCursor}`);
}

/** A clerk flags a rating's comment as critical: the rating's feedback workflow opens a reaction for the head. */
async function flagComment(pool: Pool, config: ReturnType<typeof loadWorkerConfig>): Promise<void> {
  const id = process.argv.slice(2).filter((a) => !a.startsWith('--'))[2];
  if (!config.TEMPORAL_ADDRESS || !config.CASE_PAYLOAD_KEYS) throw new Error('ratings flag: нужны TEMPORAL_ADDRESS и CASE_PAYLOAD_KEYS (Temporal and the payload keys are required)');
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, ...clientCodecOptions(parseCodecKeys(config.CASE_PAYLOAD_KEYS, config.CASE_PAYLOAD_KEY_ACTIVE)) });
    const flagged = await createCommentFlagger({ pool, client, taskQueue: config.CASE_TASK_QUEUE })({ ratingId: Number(id), clerk: flag('clerk') });
    console.log(`Отзыв отмечен: заявление ${flagged.applicationNumber}, реакция ${flagged.reactionId} (руководителю поставлена задача)`);
  } finally {
    await connection.close();
  }
}

/** Low ratings, open reactions, the quarantine and the week's satisfaction figures. No comment is printed. */
async function ratings(pool: Pool, what: string, timeZone: string): Promise<void> {
  const service = flag('service');
  if (what === 'low') {
    const days = Number(flag('days') ?? 30);
    const { rows } = await pool.query(
      `SELECT r.application_number, r.service_code, r.source, r.rated_at, r.overall, r.criteria, x.state, x.due_at, x.overdue
         FROM feedback_ratings r LEFT JOIN feedback_reactions x ON x.rating_id = r.id
        WHERE r.critical AND r.rated_at > now() - make_interval(days => $1) AND ($2::text IS NULL OR r.service_code = $2)
        ORDER BY r.rated_at DESC LIMIT 500`,
      [days, service ?? null],
    );
    console.log(`Низкие оценки за ${days} дн.: ${rows.length}`);
    for (const r of rows) {
      const crit = Object.entries(r.criteria as Record<string, number>).map(([c, v]) => `${c}=${v}`).join(' ');
      const reaction = r.state ? `реакция: ${r.state === 'closed' ? 'закрыта' : `открыта до ${(r.due_at as Date).toISOString()}${r.overdue ? ', ПРОСРОЧЕНА' : ''}`}` : 'реакция: ещё не открыта';
      console.log(`  ${r.application_number}  ${r.service_code}  ${r.source}  ${(r.rated_at as Date).toISOString()}  ${Number(r.overall).toFixed(2)}  [${crit}]  ${reaction}`);
    }
  } else if (what === 'reactions') {
    const { rows } = await pool.query(
      `SELECT reaction_id, application_number, service_code, trigger, opened_at, due_at, overdue, measure_at IS NOT NULL AS measured, answered_at
         FROM feedback_reactions WHERE state = 'open' AND ($1::text IS NULL OR service_code = $1) ORDER BY due_at`,
      [service ?? null],
    );
    console.log(`Открытые реакции на критические отзывы: ${rows.length}`);
    for (const r of rows) {
      console.log(`  ${r.reaction_id}  ${r.service_code}  срок ${(r.due_at as Date).toISOString()}${r.overdue ? ' ПРОСРОЧЕНА' : ''}  меры: ${r.measured ? 'да' : 'нет'}  ответ: ${r.answered_at ? 'отправлен' : 'нет'}`);
    }
  } else if (what === 'quarantine') {
    const { rows } = await pool.query(`SELECT source, external_id, application_number, reason_code, reason, received_at FROM feedback_quarantine WHERE released_at IS NULL ORDER BY id DESC LIMIT 500`);
    console.log(`В карантине: ${rows.length}`);
    for (const r of rows) console.log(`  ${r.source}  ${r.external_id}  ${r.application_number ?? '—'}  ${r.reason_code}: ${r.reason}`);
  } else if (what === 'summary') {
    const week = flag('week');
    const period = week ? { periodStart: week, periodEnd: new Date(Date.parse(`${week}T00:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10) } : previousWeek(new Date(), timeZone);
    console.log(renderSatisfactionText(await loadSatisfactionFigures(pool, { ...period, timeZone })));
  } else {
    console.log('usage: npm run cases -- ratings low [--days N] | reactions | quarantine | summary [--week YYYY-MM-DD]');
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
