// The satisfaction figures of a fixed week against a hand-computed golden file: response rate, means per
// criterion and overall, the 4.51 floor, the share of services above 4.5 against the 57 % plan, critical
// reviews, and the on-time/late and refusal/approval means.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { computeSatisfactionFigures } from '../../reports/satisfactionFigures';
import { renderSatisfactionText, satisfactionCsvColumns } from '../../reports/renderSatisfaction';
import { computeComplianceFigures } from '../../reports/complianceFigures';
import { renderComplianceReport } from '../../reports/renderComplianceReport';
import { defaultProductionCalendar } from '../../calendar';
import { SAT_RATINGS, SAT_REACTIONS, SAT_SERVED } from './satisfactionFixtures';

const golden = JSON.parse(fs.readFileSync(path.join(__dirname, 'golden/satisfaction-2026-11-23.json'), 'utf8'));
const opts = { periodStart: '2026-11-23', periodEnd: '2026-11-29', timeZone: 'Europe/Moscow', weeksOfHistory: 3, endExclusive: new Date('2026-11-29T21:00:00Z') };

it('matches the hand-computed table', () => {
  expect(computeSatisfactionFigures(SAT_RATINGS, SAT_SERVED, SAT_REACTIONS, opts)).toEqual(golden);
});

it('does not depend on the order of the rows', () => {
  const rev = <T>(xs: T[]) => [...xs].reverse();
  expect(computeSatisfactionFigures(rev(SAT_RATINGS), rev(SAT_SERVED), rev(SAT_REACTIONS), opts)).toEqual(golden);
});

it('prints the figures for management with the plan, the floor and the services below it', () => {
  const text = renderSatisfactionText(computeSatisfactionFigures(SAT_RATINGS, SAT_SERVED, SAT_REACTIONS, opts), { 'archive-certificate': 'Архивная справка' });
  expect(text).toContain('Доля услуг со средней оценкой выше 4,5: 33,3 % (план 57 %) — план не выполнен');
  expect(text).toContain('Отклик: 60,0 % (6 из 10)');
  expect(text).toMatch(/! construction-permit .*3,75/);
  expect(text).toMatch(/! land-lease .*4,50/);
  expect(text).not.toMatch(/! Архивная справка/);
  expect(text).toContain('в срок 4,75 / с нарушением срока 3,63');
  expect(text).toContain('отказы 3,50 / предоставление 4,81');
});

it('puts the figures in the weekly CSV as columns of the same service rows, matching the hand-computed table', () => {
  const satisfaction = computeSatisfactionFigures(SAT_RATINGS, SAT_SERVED, SAT_REACTIONS, opts);
  // No case data this week: the compliance columns are zeros; land-lease is rated but not among the compliance
  // rows, so it gets a row of its own with empty compliance cells.
  const compliance = computeComplianceFigures([], [], {
    periodStart: opts.periodStart,
    periodEnd: opts.periodEnd,
    timeZone: opts.timeZone,
    calendar: defaultProductionCalendar(),
    now: '2026-11-30T09:05:00+03:00',
    weeksOfHistory: 1,
    serviceCodes: ['archive-certificate', 'construction-permit'],
  });
  const { csv } = renderComplianceReport(compliance, {
    departmentName: 'Тест',
    serviceTitles: { 'archive-certificate': 'Архивная справка', 'construction-permit': 'Разрешение на строительство', 'land-lease': 'Аренда земли' },
    extraCsvColumns: satisfactionCsvColumns(satisfaction),
  });
  expect(csv).toBe(fs.readFileSync(path.join(__dirname, 'golden/weekly-2026-11-23.csv'), 'utf8'));
  const rows = csv.slice(1).trimEnd().split('\r\n').map((r) => r.split(';'));
  expect(new Set(rows.map((r) => r.length)).size).toBe(1);
});
