// Demo documents: a small result PDF for issueResult, and the check of what the emulated cabinet received.
import { spawnSync } from 'node:child_process';
import type { ElkEmulator } from '../epgu';
import { getGround, loadGroundsCatalog } from '../refusal';
import type { ApplicationInput } from '../shared';
import { DEMO_REFUSAL_GROUNDS } from './demoRoutes';

/** Problems found in the emulated cabinet: a refusal without exactly one letter PDF naming the case and every norm, a result without its document. */
export function checkCabinetFiles(emulator: ElkEmulator, cases: { app: ApplicationInput; outcome: string }[]): string[] {
  const catalog = loadGroundsCatalog();
  const problems: string[] = [];
  for (const { app, outcome } of cases) {
    const cabinet = emulator.cabinet(app.epgu ? app.epgu.orderId : app.applicationNumber);
    const final = cabinet?.statuses.at(-1);
    if (outcome === 'refused') {
      const pdfs = final?.status === 4 ? final.files.filter((f) => f.mimeType === 'application/pdf') : [];
      if (pdfs.length !== 1) {
        problems.push(`${app.applicationNumber}: ${pdfs.length} letter PDFs with status 4`);
        continue;
      }
      const text = spawnSync('pdftotext', ['-raw', '-', '-'], { input: emulator.file(pdfs[0].fsUuid)!.bytes }).stdout.toString('utf8').replace(/\s+/g, ' ');
      const norms = DEMO_REFUSAL_GROUNDS.flatMap((g) => getGround(catalog, app.serviceCode, g.code)?.norms ?? [`(ground ${g.code} not in catalog)`]);
      for (const needle of [app.applicationNumber, ...norms]) if (!text.includes(needle)) problems.push(`${app.applicationNumber}: letter text lacks «${needle}»`);
    }
    if (outcome === 'resultIssued' && (final?.status !== 3 || final.files.length !== 1)) problems.push(`${app.applicationNumber}: result status without its document`);
  }
  return problems;
}

// A one-page PDF (ASCII text, Helvetica) with a correct xref table, so pdftotext and viewers read it. Real result
// documents come from the department's own systems.
export function simpleResultPdf(lines: string[]): Buffer {
  const esc = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').replace(/([\\()])/g, '\\$1');
  const text = lines.map((l, i) => `BT /F1 12 Tf 72 ${760 - i * 18} Td (${esc(l)}) Tj ET`).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(text, 'latin1')} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
