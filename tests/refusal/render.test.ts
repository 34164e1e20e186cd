import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { formatDateRu, getDefaultRefusalRenderer, renderRefusalLetter, type RefusalLetter } from '../../refusal';
import { archiveLetter, realisticFacts, threeGroundsLetter, withGrounds } from './fixtures';

const renderer = getDefaultRefusalRenderer();
const GOLDEN_DIR = path.join(__dirname, 'golden');

function pdfToText(pdf: Buffer): string {
  // -raw keeps content-stream order; the default layout mode may reorder runs of justified lines.
  const r = spawnSync('/usr/bin/pdftotext', ['-raw', '-enc', 'UTF-8', '-', '-'], { input: pdf });
  if (r.status !== 0) throw new Error(`pdftotext failed: ${r.stderr.toString()}`);
  return r.stdout.toString('utf8');
}
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Golden files are written only on explicit request (UPDATE_GOLDEN=1) and must be reviewed by a reader. */
function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, actual);
  expect(fs.existsSync(file)).toBe(true);
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}

describe('every ground of every shipped service renders', () => {
  const cases = [...renderer.catalog.services].flatMap(([serviceCode, service]) =>
    [...service.grounds.keys()].map((code) => [serviceCode, code] as const),
  );
  it('covers all catalog grounds with realistic facts', () => {
    expect(cases.map(([s, c]) => `${s}/${c}`).sort()).toEqual(
      Object.entries(realisticFacts)
        .flatMap(([s, g]) => Object.keys(g).map((c) => `${s}/${c}`))
        .sort(),
    );
  });
  it.each(cases)('%s / %s', (serviceCode, code) => {
    const service = renderer.catalog.services.get(serviceCode)!;
    const ground = service.grounds.get(code)!;
    const doc = renderer.renderDocument({
      ...threeGroundsLetter,
      serviceCode,
      grounds: [{ code, facts: realisticFacts[serviceCode][code] }],
    });
    expect(doc.text).toContain(`1. ${ground.definition.title}`);
    expect(ground.norms[0]).toMatch(new RegExp(`^пункт ${ground.definition.regulationPoint.replace(/\./g, '\\.')}[ ,]`));
    expect(doc.text).toContain(`Основание: ${ground.norms.join('; ')}.`);
    expect(doc.text).toContain('по следующему основанию, предусмотренному административным регламентом');
    expect(doc.text).toContain('Что можно сделать.');
    for (const value of Object.values(realisticFacts[serviceCode][code])) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (typeof v === 'number') expect(doc.text).toContain(String(v));
        else if (/^\d{4}-\d{2}-\d{2}$/.test(v)) expect(doc.text).toContain(formatDateRu(v));
        // Templates may capitalise a fact that starts a sentence.
        else expect(doc.text.toLowerCase()).toContain(v.toLowerCase());
      }
    }
    expect(doc.text).not.toMatch(/\{\{|\}\}|undefined|\[object Object\]|[\uE000-\uF8FF]|г\.\./);
    expect(doc.html).toContain(ground.definition.title);
  });
});

describe('refusal on three grounds', () => {
  let letter: RefusalLetter;
  beforeAll(async () => {
    letter = await renderRefusalLetter(threeGroundsLetter);
  });

  const keySentences = [
    'Петрову Ивану Сергеевичу',
    '5 марта 2026 г.',
    'об отказе в предоставлении муниципальной услуги «Выдача разрешения на строительство»',
    // the three norms
    'Основание: пункт 2.9.1 Административного регламента; часть 13 статьи 51, часть 7 статьи 51 Градостроительного кодекса Российской Федерации.',
    'Основание: пункт 2.9.2 Административного регламента; часть 13 статьи 51, пункт 2 части 7 статьи 51 Градостроительного кодекса Российской Федерации.',
    'Основание: пункт 2.9.3 Административного регламента; часть 13 статьи 51 Градостроительного кодекса Российской Федерации.',
    // their facts
    'положительное заключение экспертизы проектной документации',
    'Градостроительный план земельного участка № РФ-50-2-01-0-00-2022-0345 выдан 14 ноября 2022 г., а заявление о выдаче разрешения на строительство подано 18 февраля 2026 г.',
    'для представленного плана трёхлетний срок истёк 14 ноября 2025 г.',
    'Максимальный процент застройки в границах земельного участка: в проектной документации — 62 %, по градостроительному плану — не более 50 %.',
    // their remedies
    'Подайте заявление повторно и приложите к нему перечисленные документы.',
    'Получите новый градостроительный план земельного участка',
    'получите разрешение на отклонение от предельных параметров разрешённого строительства (статья 40 Градостроительного кодекса Российской Федерации)',
    // appeal: out of court and in court, with concrete deadlines
    'подав жалобу главе городского округа Новоозёрск',
    'через Единый портал государственных и муниципальных услуг (функций) (www.gosuslugi.ru) в личном кабинете;',
    'Жалоба рассматривается в течение 15 рабочих дней со дня её регистрации (часть 6 статьи 11.2 указанного Федерального закона).',
    'Административное исковое заявление подаётся в течение 3 месяцев',
    '(часть 1 статьи 219 Кодекса административного судопроизводства Российской Федерации)',
    'Если Вы получили настоящее решение в день его принятия (5 марта 2026 г.), обратиться в суд необходимо не позднее 5 июня 2026 г.',
  ];

  it('names all three norms, facts, remedies and the appeal section in the text', () => {
    const text = squash(letter.text);
    for (const s of keySentences) expect(text).toContain(s);
    expect(letter.groundCodes).toEqual(['missing-documents', 'gpzu-expired', 'gpzu-noncompliance']);
    expect(letter.templateVersion).toBe(renderer.templateVersion);
  });

  it('contains the same key sentences in the PDF (pdftotext, Cyrillic extractable)', () => {
    expect(letter.pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pdfText = squash(pdfToText(letter.pdf));
    for (const s of keySentences) expect(pdfText).toContain(s);
  });

  it('embeds the font and pins CreationDate to the decision date', () => {
    const raw = letter.pdf.toString('latin1');
    expect(raw).toMatch(/\/FontFile2/);
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+Roboto-Regular/);
    const ref = /\/CreationDate (\d+) 0 R/.exec(raw);
    expect(ref).not.toBeNull();
    expect(raw).toContain(`\n${ref![1]} 0 obj\n(D:20260305000000Z)\nendobj`);
  });

  it('is deterministic: same input ⇒ identical bytes and contentHash', async () => {
    const again = await renderRefusalLetter(threeGroundsLetter);
    expect(again.pdf.equals(letter.pdf)).toBe(true);
    expect(again.contentHash).toBe(letter.contentHash);
    expect(letter.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(letter.partHashes.pdf).not.toBe(letter.contentHash);
  });

  it('produces a complete HTML document with the same content', () => {
    expect(letter.html.startsWith('<!DOCTYPE html>\n<html lang="ru">')).toBe(true);
    expect(letter.html).toContain('<meta charset="utf-8">');
    expect(letter.html).toContain('<h1>РЕШЕНИЕ</h1>');
    expect(letter.html).toContain('<li>результаты инженерных изысканий.</li>');
    expect(letter.html).toContain('<strong>Основание:</strong> пункт 2.9.1 Административного регламента');
  });

  it('matches the golden text', () => {
    expectGolden('construction-permit-three-grounds.txt', letter.text);
  });
});

describe('archive certificate letter', () => {
  it('matches the golden text (female addressee in the dative, no postal address, month-end court deadline)', async () => {
    const letter = await renderRefusalLetter(archiveLetter);
    expect(letter.text).toContain('Кузнецовой Марии Ивановне\n\n30 ноября 2026 г.');
    expect(letter.text).toContain('не позднее 28 февраля 2027 г.');
    expect(letter.text).toContain('или главе городского округа Новоозёрск');
    expectGolden('archive-certificate-two-grounds.txt', letter.text);
  });
});

describe('HTML escaping of facts', () => {
  const script = '<script>alert(1)</script>';

  it('escapes a <script> fact in HTML and keeps it verbatim in text and PDF', async () => {
    const letter = await renderRefusalLetter(
      withGrounds(threeGroundsLetter, [{ code: 'missing-documents', facts: { missingDocuments: [script, 'доверенность "№ 5" & печать'] } }]),
    );
    expect(letter.html).not.toContain('<script');
    expect(letter.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(letter.html).toContain('доверенность &quot;№ 5&quot; &amp; печать');
    expect(letter.text).toContain(`— ${script};`);
    expect(squash(pdfToText(letter.pdf))).toContain(script);
  });

  it('never lets a fact open a tag in HTML (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[<>&"'a-zа-я /=]{1,40}$/), { minLength: 1, maxLength: 3 }),
        (docs) => {
          const valid = docs.map((d) => d.trim()).filter((d) => d.replace(/[.;,]+$/, '') !== '');
          fc.pre(valid.length > 0);
          const { html } = renderer.renderDocument(
            withGrounds(threeGroundsLetter, [{ code: 'missing-documents', facts: { missingDocuments: valid } }]),
          );
          const body = html.slice(html.indexOf('<body>'));
          // The only tags are the serializer's own.
          for (const tag of body.match(/<[^>]*>/g) ?? []) {
            expect(tag).toMatch(/^<\/?(body|html|div|p|h1|h2|ul|li|strong|br)( class="[a-z]+")?>$/);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('invalid refusals are rejected before rendering', () => {
  it.each([
    ['no grounds', [], 'grounds: at least one ground is required'],
    ['unknown ground', [{ code: 'no-such-ground', facts: {} }], 'grounds[0].code: unknown ground "no-such-ground"'],
    ['missing facts', [threeGroundsLetter.grounds[0], { code: 'gpzu-expired', facts: { gpzuNumber: '1' } }], 'grounds[1].facts.gpzuIssuedAt: required'],
  ])('%s', async (_name, grounds, expected) => {
    await expect(renderRefusalLetter(withGrounds(threeGroundsLetter, grounds))).rejects.toMatchObject({
      name: 'RefusalValidationError',
      message: expect.stringContaining(expected),
    });
  });
});
