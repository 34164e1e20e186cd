// The latest weekly compliance report of the caller's department, as figures (JSON) or the rendered HTML.
import { z } from 'zod';
import { loadLatestReport } from '../../reports';
import type { HttpApiDeps } from '../deps';
import { HttpProblem } from '../problem';
import type { RouteSpec } from '../routeSpec';
import { WeeklyReportSchema } from '../schemas';

export function reportRoutes(deps: HttpApiDeps): RouteSpec[] {
  const latest = async (department: string) => {
    const report = await loadLatestReport(deps.pool, department);
    if (!report) throw new HttpProblem(404, 'notFound', 'Отчёта ещё нет (no report yet)', 'еженедельный отчёт формируется по понедельникам (made on Mondays)');
    return report;
  };
  const roles = ['caseSystem', 'head', 'management', 'operator'] as const;
  return [
    {
      method: 'GET',
      path: '/reports/weekly/latest',
      operationId: 'latestWeeklyReport',
      summary: 'Последний еженедельный отчёт о соблюдении сроков (latest weekly compliance report)',
      tag: 'reports',
      roles,
      write: false,
      responses: { 200: { description: 'Показатели отчёта (report figures)', schema: WeeklyReportSchema }, 404: { description: 'Отчёта ещё нет (no report yet)' } },
      async handler({ caller }) {
        const r = await latest(caller.department);
        return {
          status: 200,
          body: WeeklyReportSchema.parse({
            department: r.department,
            periodStart: r.periodStart,
            periodEnd: r.periodEnd,
            generatedAt: r.generatedAt.toISOString(),
            contentSha256: r.contentSha256,
            figures: JSON.parse(JSON.stringify(r.figures)),
          }),
        };
      },
    },
    {
      method: 'GET',
      path: '/reports/weekly/latest.html',
      operationId: 'latestWeeklyReportHtml',
      summary: 'Последний еженедельный отчёт, HTML (latest weekly report as HTML)',
      tag: 'reports',
      roles,
      write: false,
      responses: { 200: { description: 'Отчёт (the report)', contentType: 'text/html', schema: z.string() }, 404: { description: 'Отчёта ещё нет (no report yet)' } },
      async handler({ caller }) {
        const r = await latest(caller.department);
        return { status: 200, body: r.html, contentType: 'text/html; charset=utf-8' };
      },
    },
  ];
}
