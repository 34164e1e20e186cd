// Texts the applicant receives in the satisfaction loop (follow-up survey, the answer with the measures
// taken, its e-mail subject), rendered from Handlebars templates in templates/feedback. Plain text (SMS, text
// e-mail), so no HTML escaping;
// strict mode, so a missing field fails instead of sending a gap. The template version (hash of its source)
// is stored with every answer.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Handlebars from 'handlebars';
import { sha256Hex } from './hash';

export const FEEDBACK_TEMPLATES_DIR = path.resolve(__dirname, '../templates/feedback');

export interface RenderedText {
  text: string;
  templateVersion: string;
}

export function createFeedbackTexts(dir = FEEDBACK_TEMPLATES_DIR) {
  const load = (name: string) => {
    const source = fs.readFileSync(path.join(dir, `${name}.hbs`), 'utf8');
    const render = Handlebars.create().compile(source, { noEscape: true, strict: true });
    const version = `${name}@${sha256Hex(source).slice(0, 12)}`;
    return (data: Record<string, string>): RenderedText => ({ text: render(data).replace(/\s+/g, ' ').trim(), templateVersion: version });
  };
  return { answer: load('answer'), answerSubject: load('answer-subject'), survey: load('survey') };
}
export type FeedbackTexts = ReturnType<typeof createFeedbackTexts>;
