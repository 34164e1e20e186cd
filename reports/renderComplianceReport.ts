// Renders the weekly compliance figures as an HTML page (Handlebars, Russian) and a CSV for Excel.
// Every value is pre-formatted here, so the template only places strings: Handlebars escapes them, and the
// one raw fragment (the SVG chart) is built here from numbers with its few text labels escaped.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Handlebars from 'handlebars';
import { localDate, localDateTimeOf, type LocalDate } from '../calendar';
import { pluralFormRu } from '../refusal';
import type { ComplianceFigures, Figures, WeekOnTime } from './complianceFigures';
import { chartFrame } from './svgChart';

export const REPORT_TITLE_RU = 'Еженедельный отчёт о соблюдении регламентных сроков';

export const RUNG_TITLES_RU: Readonly<Record<string, string>> = {
  clerkReminder: 'Напоминание исполнителю (50 %)',
  headWarning: 'Предупреждение руководителю (75 %)',
  lastDay: 'Последний рабочий день',
  breach: 'Срок нарушен',
};

export const TOTAL_TITLE_RU = 'Итого по ведомству';

export const DEFAULT_TEMPLATE_PATH = path.resolve(__dirname, '..', 'templates', 'reports', 'weekly.hbs');

export interface RenderOptions {
  /** Department name as shown to management. */
  departmentName: string;
  /** service code → title; unknown codes are shown as the code. */
  serviceTitles?: Readonly<Record<string, string>>;
  templatePath?: string;
  /**
   * Columns appended to every CSV row (the satisfaction figures, reports/renderSatisfaction.ts): one header,
   * the cells of a service (a service only they know gets a row with empty compliance cells) and of the total.
   */
  extraCsvColumns?: ExtraCsvColumns;
}

export interface ExtraCsvColumns {
  header: readonly string[];
  serviceCodes: readonly string[];
  service(code: string): string[];
  total: readonly string[];
}

export interface RenderedComplianceReport {
  html: string;
  /** UTF-8 with BOM, `;`-separated, CRLF, decimal comma: what Russian Excel opens without an import dialog. */
  csv: string;
  /** sha256 hex over "compliance-report/v1\0" + "html\0" len "\0" html + "csv\0" len "\0" csv (UTF-8). */
  contentSha256: string;
}

// ---- formatting ----------------------------------------------------------------------------------------

const MONTHS_GENITIVE = ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря'];

function dayMonth(d: LocalDate): string {
  return `${Number(d.slice(8, 10))} ${MONTHS_GENITIVE[Number(d.slice(5, 7)) - 1]}`;
}

/** «с 16 ноября по 22 ноября 2026 г.»; across a year end «с 28 декабря 2026 г. по 3 января 2027 г.». */
export function formatPeriodRu(start: string, end: string): string {
  const s = localDate(start);
  const e = localDate(end);
  return s.slice(0, 4) === e.slice(0, 4)
    ? `с ${dayMonth(s)} по ${dayMonth(e)} ${e.slice(0, 4)} г.`
    : `с ${dayMonth(s)} ${s.slice(0, 4)} г. по ${dayMonth(e)} ${e.slice(0, 4)} г.`;
}

/** '2026-11-16' → '16.11.2026'. */
export function formatDateNumericRu(d: string): string {
  return `${d.slice(8, 10)}.${d.slice(5, 7)}.${d.slice(0, 4)}`;
}

/** One decimal at most, decimal comma: 87.5 → «87,5», 90 → «90». */
export function formatDecimalRu(n: number): string {
  return String(Math.round(n * 10) / 10).replace('.', ',');
}

const NBSP = '\u00a0';
const DASH = '—';
const pct = (n: number | null): string => (n === null ? DASH : `${formatDecimalRu(n)}${NBSP}%`);
const num = (n: number | null): string => (n === null ? DASH : formatDecimalRu(n));

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

// ---- chart ----------------------------------------------------------------------------------------------

/**
 * Bar chart of the on-time share per week as a standalone SVG fragment (inline in the HTML, no scripts, no
 * external resources, so it survives e-mail clients and printing). Weeks without completions show «н/д».
 */
export function buildOnTimeChartSvg(weeks: readonly WeekOnTime[], caption = 'Доля заявлений, рассмотренных в срок, по неделям'): string {
  const { width, margin: m, plotH, slot, y, f, open } = chartFrame(720, 260, { left: 48, right: 12, top: 20, bottom: 44 }, weeks.length, { min: 0, max: 100 });
  const barW = Math.min(56, slot * 0.6);
  const parts: string[] = [open(escapeXml(caption))];
  for (const g of [0, 25, 50, 75, 100]) {
    parts.push(`<line x1="${m.left}" y1="${f(y(g))}" x2="${width - m.right}" y2="${f(y(g))}" stroke="#d0d0d0" stroke-width="1"/>`);
    parts.push(`<text x="${m.left - 6}" y="${f(y(g) + 4)}" text-anchor="end" fill="#555">${escapeXml(`${g} %`)}</text>`);
  }
  weeks.forEach((w, i) => {
    const cx = m.left + slot * i + slot / 2;
    const last = i === weeks.length - 1;
    if (w.onTimePercent !== null) {
      const top = y(w.onTimePercent);
      parts.push(
        `<rect x="${f(cx - barW / 2)}" y="${f(top)}" width="${f(barW)}" height="${f(m.top + plotH - top)}" fill="${last ? '#1f5fa8' : '#8fb3dc'}"><title>${escapeXml(`${formatDateNumericRu(w.weekStart)}–${formatDateNumericRu(w.weekEnd)}: ${w.onTime} из ${w.eligible}`)}</title></rect>`,
      );
    }
    const label = w.onTimePercent === null ? 'н/д' : `${formatDecimalRu(w.onTimePercent)} %`;
    const labelY = w.onTimePercent === null ? y(0) - 4 : Math.max(m.top - 4, y(w.onTimePercent) - 4);
    parts.push(`<text x="${f(cx)}" y="${f(labelY)}" text-anchor="middle" fill="#222">${escapeXml(label)}</text>`);
    parts.push(
      `<text x="${f(cx)}" y="${f(m.top + plotH + 16)}" text-anchor="middle" fill="#555">${escapeXml(`${w.weekStart.slice(8, 10)}.${w.weekStart.slice(5, 7)}–${w.weekEnd.slice(8, 10)}.${w.weekEnd.slice(5, 7)}`)}</text>`,
    );
  });
  parts.push(`<line x1="${m.left}" y1="${f(y(0))}" x2="${width - m.right}" y2="${f(y(0))}" stroke="#555" stroke-width="1"/>`);
  parts.push('</svg>');
  return parts.join('');
}

// ---- view model -----------------------------------------------------------------------------------------

interface Row {
  label: string;
  value: string;
}

function detailRows(f: Figures): Row[] {
  return [
    { label: 'Поступило заявлений', value: String(f.received) },
    { label: 'Завершено рассмотрение', value: String(f.completed) },
    { label: 'в т. ч. выдан результат', value: String(f.resultIssued) },
    { label: 'в т. ч. отказано', value: String(f.refused) },
    { label: 'в т. ч. отозвано заявителем', value: String(f.cancelled) },
    { label: 'Рассмотрено в срок', value: `${f.completedOnTime} из ${f.onTimeEligible}` },
    { label: 'Рассмотрено с нарушением срока', value: String(f.completedLate) },
    { label: 'Доля рассмотренных в срок', value: pct(f.onTimePercent) },
    { label: 'В работе на конец периода', value: String(f.openAtPeriodEnd) },
    { label: 'из них с истёкшим сроком', value: String(f.overdueOpenAtPeriodEnd) },
    { label: 'Средний срок рассмотрения, раб. дн.', value: num(f.processing.meanWorkingDays) },
    { label: '90-й процентиль срока, раб. дн.', value: num(f.processing.p90WorkingDays) },
    { label: 'Доля отказов среди завершённых', value: pct(f.refusalPercent) },
  ];
}

function summaryCells(f: Figures): string[] {
  return [
    String(f.received),
    String(f.completed),
    `${f.completedOnTime} из ${f.onTimeEligible}`,
    pct(f.onTimePercent),
    String(f.openAtPeriodEnd),
    String(f.overdueOpenAtPeriodEnd),
    num(f.processing.meanWorkingDays),
    num(f.processing.p90WorkingDays),
    pct(f.refusalPercent),
  ];
}

export function rungTitleRu(rung: string): string {
  return RUNG_TITLES_RU[rung] ?? rung;
}

// ---- CSV ------------------------------------------------------------------------------------------------

export const CSV_HEADER_FIXED = [
  'Период с',
  'Период по',
  'Код услуги',
  'Услуга',
  'Поступило',
  'Завершено',
  'Выдан результат',
  'Отказано',
  'Отозвано заявителем',
  'Завершено в срок',
  'Завершено с нарушением срока',
  'Доля в срок, %',
  'В работе на конец периода',
  'Просрочено на конец периода',
  'Средний срок, раб. дн.',
  '90-й процентиль срока, раб. дн.',
  'Доля отказов, %',
] as const;

function csvField(v: string): string {
  // Quote anything Excel could split or reinterpret; a leading = + - @ would turn the cell into a formula.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[;"\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvNumber(n: number | null): string {
  return n === null ? '' : formatDecimalRu(n);
}

// The integer columns of CSV_HEADER_FIXED, in its order.
const CSV_COMPLETION_COUNTS = ['received', 'completed', 'resultIssued', 'refused', 'cancelled', 'completedOnTime', 'completedLate'] as const;
const CSV_OPEN_COUNTS = ['openAtPeriodEnd', 'overdueOpenAtPeriodEnd'] as const;

function buildCsv(figures: ComplianceFigures, titleOf: (code: string) => string, extra?: ExtraCsvColumns): string {
  const header = [...CSV_HEADER_FIXED, ...figures.rungs.map((r) => `Эскалации: ${rungTitleRu(r)}`), ...(extra?.header ?? [])];
  const line = (code: string, title: string, f: Figures): string[] => [
    formatDateNumericRu(figures.periodStart),
    formatDateNumericRu(figures.periodEnd),
    code,
    title,
    ...CSV_COMPLETION_COUNTS.map((k) => String(f[k])),
    csvNumber(f.onTimePercent),
    ...CSV_OPEN_COUNTS.map((k) => String(f[k])),
    csvNumber(f.processing.meanWorkingDays),
    csvNumber(f.processing.p90WorkingDays),
    csvNumber(f.refusalPercent),
    ...figures.rungs.map((r) => String(f.escalationsByRung[r] ?? 0)),
  ];
  const compliance = header.length - (extra?.header.length ?? 0);
  const known = new Set(figures.services.map((s) => s.serviceCode));
  const rows = [
    header,
    ...figures.services.map((s) => [...line(s.serviceCode, titleOf(s.serviceCode), s), ...(extra?.service(s.serviceCode) ?? [])]),
    ...(extra?.serviceCodes ?? [])
      .filter((code) => !known.has(code))
      .map((code) => [formatDateNumericRu(figures.periodStart), formatDateNumericRu(figures.periodEnd), code, titleOf(code), ...Array<string>(compliance - 4).fill(''), ...extra!.service(code)]),
    [...line('', TOTAL_TITLE_RU, figures.total), ...(extra?.total ?? [])],
  ];
  return '\ufeff' + rows.map((r) => r.map(csvField).join(';')).join('\r\n') + '\r\n';
}

// ---- HTML -----------------------------------------------------------------------------------------------

// One isolated environment: strict (a missing field is an error, not an empty cell) and known helpers only.
const hb = Handlebars.create();
const compiled = new Map<string, HandlebarsTemplateDelegate>();

function templateAt(file: string): HandlebarsTemplateDelegate {
  let t = compiled.get(file);
  if (!t) {
    // Parse eagerly so a syntax error names the file at first use; the compiled function is kept for the process.
    const ast = hb.parse(fs.readFileSync(file, 'utf8'));
    t = hb.compile(ast, { strict: true, knownHelpersOnly: true });
    compiled.set(file, t);
  }
  return t;
}

export function renderComplianceReport(figures: ComplianceFigures, options: RenderOptions): RenderedComplianceReport {
  const titles = options.serviceTitles ?? {};
  const titleOf = (code: string): string => titles[code] ?? code;
  const generated = localDateTimeOf(figures.generatedAt, figures.timeZone);
  const hhmm = `${String(generated.hour).padStart(2, '0')}:${String(generated.minute).padStart(2, '0')}`;
  const view = {
    title: REPORT_TITLE_RU,
    departmentName: options.departmentName,
    period: formatPeriodRu(figures.periodStart, figures.periodEnd),
    generatedAt: `${formatDateNumericRu(generated.date)} ${hhmm}`,
    timeZone: figures.timeZone,
    calendarVersion: figures.calendarVersion,
    hasServices: figures.services.length > 0,
    summaryHeader: ['Поступило', 'Завершено', 'В срок', 'Доля в срок', 'В работе', 'Просрочено', 'Средний срок', '90-й процентиль', 'Доля отказов'],
    summary: figures.services.map((s) => ({ title: titleOf(s.serviceCode), cells: summaryCells(s) })),
    summaryTotal: { title: TOTAL_TITLE_RU, cells: summaryCells(figures.total) },
    services: figures.services.map((s) => ({ code: s.serviceCode, title: titleOf(s.serviceCode), rows: detailRows(s) })),
    totalRows: detailRows(figures.total),
    escalationHeader: [...figures.services.map((s) => titleOf(s.serviceCode)), TOTAL_TITLE_RU],
    escalations: figures.rungs.map((r) => ({
      title: rungTitleRu(r),
      cells: [...figures.services.map((s) => String(s.escalationsByRung[r] ?? 0)), String(figures.total.escalationsByRung[r] ?? 0)],
    })),
    weeksOfHistory: `${figures.weeksOfHistory} ${pluralFormRu(figures.weeksOfHistory, 'неделю', 'недели', 'недель')}`,
    chart: new hb.SafeString(buildOnTimeChartSvg(figures.total.weeklyOnTime)),
  };
  const html = templateAt(options.templatePath ?? DEFAULT_TEMPLATE_PATH)(view);
  const csv = buildCsv(figures, titleOf, options.extraCsvColumns);
  return { html, csv, contentSha256: contentSha256(html, csv) };
}

export function contentSha256(html: string, csv: string): string {
  const h = createHash('sha256').update('compliance-report/v1\0');
  for (const [name, text] of [['html', html], ['csv', csv]] as const) {
    const bytes = Buffer.from(text, 'utf8');
    h.update(`${name}\0${bytes.length}\0`).update(bytes);
  }
  return h.digest('hex');
}
