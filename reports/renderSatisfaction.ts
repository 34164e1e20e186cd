// The satisfaction section of the weekly report: plain text (operator command, console) and an HTML fragment
// with an inline SVG chart of the mean rating by week, the 4.51 floor drawn across it. Services below the floor
// are marked «!» in text and highlighted in HTML.
import { CRITERIA, CRITERION_TITLES_RU } from '../feedback';
import { chartFrame } from './svgChart';
import { INDICATOR_PLAN_PERCENT, SATISFACTION_FLOOR, type SatisfactionFigures } from './satisfactionFigures';

const DASH = '—';
const d2 = (n: number | null) => (n === null ? DASH : n.toFixed(2).replace('.', ','));
const d1 = (n: number | null) => (n === null ? DASH : n.toFixed(1).replace('.', ','));
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export function renderSatisfactionText(f: SatisfactionFigures, titles: Readonly<Record<string, string>> = {}): string {
  const t = f.total;
  const lines: string[] = [];
  lines.push(`Удовлетворённость заявителей ${f.periodStart} — ${f.periodEnd}`);
  lines.push(`Оценок: ${t.ratings}. Отклик: ${d1(t.responseRatePercent)} % (${t.servedRated} из ${t.served}). Средняя: ${d2(t.meanOverall)} (порог ${d2(SATISFACTION_FLOOR)})`);
  const plan = t.meetsPlan === null ? 'нет оценок' : t.meetsPlan ? 'план выполнен' : 'план не выполнен';
  lines.push(`Доля услуг со средней оценкой выше 4,5: ${d1(t.shareAboveIndicatorPercent)} % (план ${INDICATOR_PLAN_PERCENT} %) — ${plan}`);
  lines.push(`Критические отзывы: открыто ${t.reactions.opened}, отвечено в срок ${t.reactions.answeredOnTime}, с опозданием ${t.reactions.answeredLate}, просрочено ${t.reactions.overdueOpen}`);
  lines.push(`Средняя оценка: в срок ${d2(t.drivers.onTime)} / с нарушением срока ${d2(t.drivers.late)}; отказы ${d2(t.drivers.refusals)} / предоставление ${d2(t.drivers.approvals)}`);
  lines.push('');
  lines.push('  услуга | оценок | отклик, % | средняя | по критериям');
  for (const s of f.services) {
    const mark = s.belowFloor ? '!' : ' ';
    const crit = CRITERIA.filter((c) => s.meanByCriterion[c] !== undefined).map((c) => `${c}: ${d2(s.meanByCriterion[c]!)}`).join(', ');
    lines.push(`${mark} ${titles[s.serviceCode] ?? s.serviceCode} | ${s.ratings} | ${d1(s.responseRatePercent)} | ${d2(s.meanOverall)} | ${crit || DASH}`);
  }
  lines.push('');
  lines.push('Средняя по неделям: ' + f.weeks.map((w) => `${w.weekStart.slice(8, 10)}.${w.weekStart.slice(5, 7)}: ${d2(w.meanOverall)} (${w.ratings})`).join('; '));
  lines.push('«!» — ниже 4,51.');
  return lines.join('\n');
}

export function buildMeanByWeekSvg(weeks: SatisfactionFigures['weeks']): string {
  const { width, margin: m, plotH, slot, y, f, open } = chartFrame(720, 220, { left: 40, right: 12, top: 16, bottom: 36 }, weeks.length, { min: 1, max: 5 });
  const out = [open('Средняя оценка по неделям')];
  for (const g of [1, 2, 3, 4, 5]) {
    out.push(`<line x1="${m.left}" y1="${f(y(g))}" x2="${width - m.right}" y2="${f(y(g))}" stroke="#d0d0d0"/><text x="${m.left - 6}" y="${f(y(g) + 4)}" text-anchor="end" fill="#555">${g}</text>`);
  }
  weeks.forEach((w, i) => {
    const cx = m.left + slot * i + slot / 2;
    if (w.meanOverall !== null) {
      const top = y(w.meanOverall);
      const fill = w.meanOverall < SATISFACTION_FLOOR ? '#c0392b' : '#1f5fa8';
      out.push(`<rect x="${f(cx - 20)}" y="${f(top)}" width="40" height="${f(m.top + plotH - top)}" fill="${fill}"><title>${esc(`${w.weekStart}–${w.weekEnd}: ${d2(w.meanOverall)} (${w.ratings})`)}</title></rect>`);
    }
    out.push(`<text x="${f(cx)}" y="${f(w.meanOverall === null ? y(1) - 4 : y(w.meanOverall) - 4)}" text-anchor="middle">${esc(w.meanOverall === null ? 'н/д' : d2(w.meanOverall))}</text>`);
    out.push(`<text x="${f(cx)}" y="${f(m.top + plotH + 16)}" text-anchor="middle" fill="#555">${esc(`${w.weekStart.slice(8, 10)}.${w.weekStart.slice(5, 7)}`)}</text>`);
  });
  out.push(`<line x1="${m.left}" y1="${f(y(SATISFACTION_FLOOR))}" x2="${width - m.right}" y2="${f(y(SATISFACTION_FLOOR))}" stroke="#c0392b" stroke-dasharray="4 3"/><text x="${width - m.right}" y="${f(y(SATISFACTION_FLOOR) - 4)}" text-anchor="end" fill="#c0392b">4,51</text>`);
  out.push('</svg>');
  return out.join('');
}

export function renderSatisfactionHtml(f: SatisfactionFigures, titles: Readonly<Record<string, string>> = {}): string {
  const t = f.total;
  const rows = f.services
    .map((s) => {
      const crit = CRITERIA.map((c) => `<td>${d2(s.meanByCriterion[c] ?? null)}</td>`).join('');
      return `<tr${s.belowFloor ? ' class="below-floor" style="background:#fde2e0"' : ''}><td>${esc(titles[s.serviceCode] ?? s.serviceCode)}</td><td>${s.ratings}</td><td>${d1(s.responseRatePercent)}</td><td><b>${d2(s.meanOverall)}</b></td>${crit}<td>${s.reactions.opened}/${s.reactions.answeredOnTime}/${s.reactions.overdueOpen}</td></tr>`;
    })
    .join('');
  const critHead = CRITERIA.map((c) => `<th title="${esc(CRITERION_TITLES_RU[c])}">${c}</th>`).join('');
  const plan = t.meetsPlan === null ? 'нет оценок' : t.meetsPlan ? 'план выполнен' : '<b style="color:#c0392b">план не выполнен</b>';
  return [
    `<section id="satisfaction"><h2>Удовлетворённость заявителей</h2>`,
    `<p>Оценок: ${t.ratings}; отклик ${d1(t.responseRatePercent)} % (${t.servedRated} из ${t.served} завершённых); средняя ${d2(t.meanOverall)}. Доля услуг со средней оценкой выше 4,5: <b>${d1(t.shareAboveIndicatorPercent)} %</b> при плане ${INDICATOR_PLAN_PERCENT} % — ${plan}.</p>`,
    `<p>Критические отзывы: открыто ${t.reactions.opened}, отвечено в срок ${t.reactions.answeredOnTime}, с опозданием ${t.reactions.answeredLate}, просрочено ${t.reactions.overdueOpen}. Средняя оценка: рассмотренных в срок ${d2(t.drivers.onTime)}, с нарушением срока ${d2(t.drivers.late)}; отказов ${d2(t.drivers.refusals)}, предоставлений ${d2(t.drivers.approvals)}.</p>`,
    `<table border="1" cellspacing="0" cellpadding="3"><tr><th>Услуга</th><th>Оценок</th><th>Отклик, %</th><th>Средняя</th>${critHead}<th>Отзывы: открыто/в срок/просрочено</th></tr>${rows}</table>`,
    `<p>Выделены услуги со средней оценкой ниже ${d2(SATISFACTION_FLOOR)}. Отклик — доля завершённых за неделю заявлений, по которым есть оценка.</p>`,
    buildMeanByWeekSvg(f.weeks),
    `</section>`,
  ].join('\n');
}

// ---- CSV columns: the satisfaction figures beside the compliance figures of the same service ----------------

const c2 = (n: number | null | undefined) => (n === null || n === undefined ? '' : n.toFixed(2).replace('.', ','));
const c1 = (n: number | null) => (n === null ? '' : String(Math.round(n * 10) / 10).replace('.', ','));

export const SATISFACTION_CSV_HEADER: readonly string[] = [
  'Оценок',
  'Оценили из завершённых',
  'Отклик, %',
  'Средняя оценка',
  ...CRITERIA.map((c) => `Оценка ${c} ${CRITERION_TITLES_RU[c]}`),
  'Ниже 4,51',
  'Выше 4,5',
  'Критических отзывов открыто',
  'Отвечено в срок',
  'Отвечено с нарушением срока',
  'Без ответа, срок истёк',
  'Средняя: дела в срок',
  'Средняя: дела с нарушением срока',
  'Средняя: отказы',
  'Средняя: предоставление',
  'Доля услуг выше 4,5, %',
  'План, %',
];

type Block = SatisfactionFigures['services'][number] | SatisfactionFigures['total'];

function cells(b: Block): string[] {
  const rated = b.meanOverall !== null;
  return [
    String(b.ratings),
    `${b.servedRated} из ${b.served}`,
    c1(b.responseRatePercent),
    c2(b.meanOverall),
    ...CRITERIA.map((c) => c2(b.meanByCriterion[c])),
    rated ? (b.belowFloor ? 'да' : 'нет') : '',
    rated ? (b.aboveIndicator ? 'да' : 'нет') : '',
    String(b.reactions.opened),
    String(b.reactions.answeredOnTime),
    String(b.reactions.answeredLate),
    String(b.reactions.overdueOpen),
    c2(b.drivers.onTime),
    c2(b.drivers.late),
    c2(b.drivers.refusals),
    c2(b.drivers.approvals),
  ];
}

/** The satisfaction figures as CSV columns: per service, and for the total the share against the 57 % plan. */
export function satisfactionCsvColumns(f: SatisfactionFigures): { header: readonly string[]; serviceCodes: string[]; service(code: string): string[]; total: string[] } {
  const byCode = new Map(f.services.map((s) => [s.serviceCode, s]));
  const empty = SATISFACTION_CSV_HEADER.map(() => '');
  return {
    header: SATISFACTION_CSV_HEADER,
    serviceCodes: f.services.map((s) => s.serviceCode),
    service: (code) => {
      const s = byCode.get(code);
      return s ? [...cells(s), '', ''] : [...empty];
    },
    total: [...cells(f.total), c1(f.total.shareAboveIndicatorPercent), String(INDICATOR_PLAN_PERCENT)],
  };
}
