// Operator's command line: which cases are due soon, which are overdue, and the latest weekly report.
//   npm run cases -- due 5 [--service construction-permit] [--clerk ivanova]
//   npm run cases -- overdue [--service …] [--clerk …]
//   npm run cases -- counts
//   npm run cases -- report [--html]
// Reads DATABASE_URL (and DEPARTMENT_TIME_ZONE); with nothing configured it reads the demo's database.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Pool } from 'pg';
import { ProductionCalendar } from '../calendar';
import { countsByServiceAndClerk, dueWithinWorkingDays, overdueCases } from '../escalation';
import { formatReportText, loadLatestReport } from '../reports';
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
      default:
        console.log('usage: npm run cases -- due N | overdue | counts | report [--html] [--service CODE] [--clerk ID]');
    }
  } finally {
    await pool.end();
    await demoPg?.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
