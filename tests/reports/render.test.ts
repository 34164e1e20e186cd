import { defaultProductionCalendar } from '../../calendar';
import { parseXml, type XmlElement } from '../../epgu/xmlReader';
import { computeComplianceFigures, type Figures } from '../../reports/complianceFigures';
import {
  buildOnTimeChartSvg,
  contentSha256,
  CSV_HEADER_FIXED,
  formatPeriodRu,
  renderComplianceReport,
  REPORT_TITLE_RU,
} from '../../reports/renderComplianceReport';
import { A, APPLICATIONS, C, ESCALATIONS, EXPECTED, NOW, PERIOD, TZ } from './fixtures';

const calendar = defaultProductionCalendar();
const figures = computeComplianceFigures(APPLICATIONS, ESCALATIONS, { ...PERIOD, timeZone: TZ, calendar, now: NOW });
const serviceTitles = {
  [A]: 'Выдача архивных справок, архивных выписок и архивных копий',
  [C]: 'Выдача разрешения на строительство',
};
const report = renderComplianceReport(figures, { departmentName: 'Управление делами администрации города N', serviceTitles });

/** RFC 4180-style reader for `;`-separated text (quotes, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ';') row.push(field), (field = '');
    else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

const n = (s: string): number | null => (s === '' ? null : Number(s.replace(',', '.')));

function svgOf(html: string): string {
  const m = /<svg[\s\S]*?<\/svg>/.exec(html);
  if (!m) throw new Error('no <svg> in the HTML');
  return m[0];
}

function texts(el: XmlElement, local: string): string[] {
  const out: string[] = [];
  const walk = (e: XmlElement) => {
    if (e.local === local) out.push(e.text);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}

describe('formatPeriodRu', () => {
  it('writes the period as management reads it', () => {
    expect(formatPeriodRu('2026-11-16', '2026-11-22')).toBe('с 16 ноября по 22 ноября 2026 г.');
    expect(formatPeriodRu('2026-11-30', '2026-12-06')).toBe('с 30 ноября по 6 декабря 2026 г.');
    expect(formatPeriodRu('2026-12-28', '2027-01-03')).toBe('с 28 декабря 2026 г. по 3 января 2027 г.');
  });
});

describe('HTML', () => {
  it('has the Russian title, the department, the period and each service', () => {
    expect(report.html).toContain('<html lang="ru">');
    expect(report.html).toContain(`<h1>${REPORT_TITLE_RU}</h1>`);
    expect(report.html).toContain('Управление делами администрации города N');
    expect(report.html).toContain('Отчётный период: с 2 ноября по 8 ноября 2026 г.');
    expect(report.html).toContain('Сформирован 09.11.2026 09:05 (Europe/Moscow)');
    for (const title of Object.values(serviceTitles)) expect(report.html).toContain(title);
    expect(report.html).toContain('Итого по ведомству');
  });

  it('names the rungs in Russian and shows the hand-counted escalations', () => {
    for (const name of ['Напоминание исполнителю (50 %)', 'Предупреждение руководителю (75 %)', 'Последний рабочий день', 'Срок нарушен'])
      expect(report.html).toContain(name);
    // breach row: 2 (archive), 2 (construction), 4 (total)
    expect(report.html).toMatch(/<td>Срок нарушен<\/td><td class="n">2<\/td><td class="n">2<\/td><td class="n">4<\/td>/);
    // an unknown rung is shown by its code rather than dropped
    expect(report.html).toMatch(/<td>deputyCall<\/td><td class="n">0<\/td><td class="n">1<\/td><td class="n">1<\/td>/);
  });

  it('shows the totals with a decimal comma', () => {
    expect(report.html).toMatch(/<td>Итого по ведомству<\/td><td class="n">12<\/td><td class="n">14<\/td><td class="n">8 из 11<\/td><td class="n">72,7\u00a0%<\/td>/);
    expect(report.html).toContain('<td>Средний срок рассмотрения, раб. дн.</td><td class="n">7,6</td>');
  });

  it('embeds a well-formed SVG chart with one label per week', () => {
    const svg = parseXml(svgOf(report.html));
    expect(svg.local).toBe('svg');
    expect(svg.ns).toBe('http://www.w3.org/2000/svg');
    const labels = texts(svg, 'text');
    expect(labels).toEqual(expect.arrayContaining(['14.09–20.09', '02.11–08.11', '72,7 %', '50 %', '0 %', 'н/д']));
    const bars = [] as XmlElement[];
    const walk = (e: XmlElement) => (e.local === 'rect' && bars.push(e), e.children.forEach(walk));
    walk(svg);
    expect(bars).toHaveLength(5); // weeks with data: 21.09, 12.10, 19.10, 26.10, 02.11 (0 % is a bar of height 0)
  });

  it('escapes the department name and service titles, and SVG labels', () => {
    const evil = renderComplianceReport(figures, {
      departmentName: '<script>alert(1)</script> & Co',
      serviceTitles: { [A]: 'Архив <b>"кавычки"</b>' },
    });
    expect(evil.html).not.toContain('<script>alert(1)</script>');
    expect(evil.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(evil.html).not.toContain('<b>"кавычки"</b>');
    const svg = buildOnTimeChartSvg(figures.total.weeklyOnTime, 'a <b> & "c"');
    expect(() => parseXml(svg)).not.toThrow();
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
  });

  it('is deterministic and the hash covers both renditions', () => {
    const again = renderComplianceReport(figures, { departmentName: 'Управление делами администрации города N', serviceTitles });
    expect(again).toEqual(report);
    expect(report.contentSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.contentSha256).toBe(contentSha256(report.html, report.csv));
    expect(contentSha256(report.html, report.csv + ' ')).not.toBe(report.contentSha256);
    expect(contentSha256(report.html + 'x', report.csv.slice(0))).not.toBe(contentSha256(report.html, 'x' + report.csv));
  });
});

describe('CSV', () => {
  it('is UTF-8 text with a BOM, `;` separated, CRLF, one row per service plus the total', () => {
    expect(report.csv.startsWith('\ufeff')).toBe(true);
    expect(report.csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(report.csv.slice(1));
    expect(rows).toHaveLength(1 + 2 + 1);
    expect(rows[0]).toEqual([
      ...CSV_HEADER_FIXED,
      'Эскалации: Напоминание исполнителю (50 %)',
      'Эскалации: Предупреждение руководителю (75 %)',
      'Эскалации: Последний рабочий день',
      'Эскалации: Срок нарушен',
      'Эскалации: deputyCall',
    ]);
    expect(rows.map((r) => r.length)).toEqual(rows.map(() => CSV_HEADER_FIXED.length + 5));
  });

  it('parses back to the same numbers', () => {
    const rows = parseCsv(report.csv.slice(1));
    const header = rows[0] as string[];
    const col = (row: string[], name: string) => n(row[header.indexOf(name)] as string);
    const check = (row: string[], f: Figures, exp: (typeof EXPECTED)['total']) => {
      expect(row[0]).toBe('02.11.2026');
      expect(row[1]).toBe('08.11.2026');
      expect(col(row, 'Поступило')).toBe(exp.received);
      expect(col(row, 'Завершено')).toBe(exp.completed);
      expect(col(row, 'Выдан результат')).toBe(exp.resultIssued);
      expect(col(row, 'Отказано')).toBe(exp.refused);
      expect(col(row, 'Отозвано заявителем')).toBe(exp.cancelled);
      expect(col(row, 'Завершено в срок')).toBe(exp.completedOnTime);
      expect(col(row, 'Завершено с нарушением срока')).toBe(exp.completedLate);
      expect(col(row, 'Доля в срок, %')).toBe(exp.onTimePercent);
      expect(col(row, 'В работе на конец периода')).toBe(exp.openAtPeriodEnd);
      expect(col(row, 'Просрочено на конец периода')).toBe(exp.overdueOpenAtPeriodEnd);
      expect(col(row, 'Средний срок, раб. дн.')).toBe(exp.processing.meanWorkingDays);
      expect(col(row, '90-й процентиль срока, раб. дн.')).toBe(exp.processing.p90WorkingDays);
      expect(col(row, 'Доля отказов, %')).toBe(exp.refusalPercent);
      expect(col(row, 'Эскалации: Срок нарушен')).toBe(exp.escalationsByRung.breach);
      expect(col(row, 'Эскалации: Напоминание исполнителю (50 %)')).toBe(exp.escalationsByRung.clerkReminder);
      expect(col(row, 'Эскалации: deputyCall')).toBe(exp.escalationsByRung.deputyCall);
      expect(col(row, 'Доля в срок, %')).toBe(f.onTimePercent);
    };
    const [, a, c, total] = rows as [string[], string[], string[], string[]];
    expect([a[2], a[3]]).toEqual([A, serviceTitles[A]]);
    expect([c[2], c[3]]).toEqual([C, serviceTitles[C]]);
    expect([total[2], total[3]]).toEqual(['', 'Итого по ведомству']);
    check(a, figures.services[0]!, EXPECTED[A]);
    check(c, figures.services[1]!, EXPECTED[C]);
    check(total, figures.total, EXPECTED.total);
  });

  it('quotes separators and quotes, and defuses formulas', () => {
    const r = renderComplianceReport(figures, { departmentName: 'x', serviceTitles: { [A]: 'Справки; "архив"', [C]: '=HYPERLINK("x")' } });
    const rows = parseCsv(r.csv.slice(1));
    expect(rows[1]![3]).toBe('Справки; "архив"');
    expect(rows[2]![3]).toBe(`'=HYPERLINK("x")`);
  });
});
