// The addressee line declines the applicant's name correctly (third-declension feminine names, gender passed
// through), and law numbers stay searchable in the PDF the applicant receives.
import { spawnSync } from 'node:child_process';
import { renderRefusalLetter } from '../../refusal';
import { toPdfContent, unbreakableNorms } from '../../refusal/documentModel';
import { renderPdf } from '../../refusal/pdf';
import { fullNameDative } from '../../refusal/format';
import { archiveLetter, threeGroundsLetter } from './fixtures';

function pdfToText(pdf: Buffer): string {
  const r = spawnSync('/usr/bin/pdftotext', ['-raw', '-enc', 'UTF-8', '-', '-'], { input: pdf });
  if (r.status !== 0) throw new Error(`pdftotext failed: ${r.stderr.toString()}`);
  return r.stdout.toString('utf8');
}

describe('names in the dative case', () => {
  it.each([
    [{ lastName: 'Соколова', firstName: 'Любовь', middleName: 'Павловна' }, 'Соколовой Любови Павловне'],
    [{ lastName: 'Соколова', firstName: 'Любовь', gender: 'female' as const }, 'Соколовой Любови'],
    [{ lastName: 'Шевчук', firstName: 'Нинель', middleName: 'Ивановна' }, 'Шевчук Нинели Ивановне'],
    [{ lastName: 'Петров', firstName: 'Иван', middleName: 'Сергеевич' }, 'Петрову Ивану Сергеевичу'],
    [{ lastName: 'Иванов', firstName: 'Игорь', middleName: 'Петрович' }, 'Иванову Игорю Петровичу'],
    [{ lastName: 'Орлов', firstName: 'Лев', gender: 'male' as const }, 'Орлову Льву'],
  ])('%o → %s', (person, dative) => expect(fullNameDative(person)).toBe(dative));

  it('the letter is addressed to «Соколовой Любови Павловне», with or without a patronymic when the gender is known', async () => {
    const withPatronymic = await renderRefusalLetter({ ...archiveLetter, applicant: { ...archiveLetter.applicant, lastName: 'Соколова', firstName: 'Любовь', middleName: 'Павловна' } });
    expect(withPatronymic.text).toContain('Соколовой Любови Павловне');
    const genderOnly = await renderRefusalLetter({ ...archiveLetter, applicant: { lastName: 'Соколова', firstName: 'Любовь', gender: 'female' } });
    expect(genderOnly.text).toContain('Соколовой Любови');
  });
});

describe('law numbers in the PDF', () => {
  it('keeps «210-ФЗ» on one line: pdftotext finds it whole, never «210- ФЗ»', async () => {
    const letter = await renderRefusalLetter(threeGroundsLetter);
    expect(letter.text).toContain('№ 210-ФЗ'); // text and HTML keep the ASCII hyphen
    const text = pdfToText(letter.pdf);
    expect(text).toContain('210\u2011ФЗ');
    expect(text).not.toMatch(/\d[-\u2011]\s+ФЗ/);
    expect(text.replace(/\u2011/g, '-')).toContain('№ 210-ФЗ');
  });

  it('never splits a law number wherever the line ends (the hyphen walks across the line end)', async () => {
    // One paragraph per filler length: one of them puts the hyphen exactly at the right margin.
    const blocks = Array.from({ length: 40 }, (_, n) => ({
      type: 'p' as const,
      lines: [[{ text: `${'оспорить решение '.repeat(5)}${'ж'.repeat(n)} в соответствии с Федеральным законом от 27.07.2010 № 210-ФЗ`, bold: false }]],
    }));
    const text = pdfToText(await renderPdf(toPdfContent(blocks), { title: 't', author: 'a', subject: 's', date: '2026-03-05' }));
    expect(text.match(/210\u2011ФЗ/g)).toHaveLength(40);
    expect(text).not.toMatch(/210[-\u2011]\s+ФЗ/);
  });

  it('only joins a number to the capitalised word after it', () => {
    expect(unbreakableNorms('№ 210-ФЗ, 125-ФЗ и 59-ФЗ; 2020-2027 гг.; ул. 8-го Марта')).toBe('№ 210\u2011ФЗ, 125\u2011ФЗ и 59\u2011ФЗ; 2020-2027 гг.; ул. 8-го Марта');
  });
});
