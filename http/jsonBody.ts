// The JSON body parser of the API: the size is bounded by Fastify's bodyLimit before this runs, and nesting
// depth and prototype keys are checked on the raw text before JSON.parse, so a hostile body costs one linear scan.
import { HttpProblem } from './problem';

export const MAX_JSON_DEPTH = 32;

/** Deepest nesting of objects and arrays in a JSON text (strings skipped); stops counting past `limit`. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

// A key that could reach an object's prototype when a schema copies a record (z.record assigns key by key).
const PROTOTYPE_KEY = /"(?:__proto__|constructor|prototype)"\s*:/;

export function parseJsonBody(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (text.trim() === '') throw new HttpProblem(400, 'malformed', 'Пустое тело запроса (empty body)', 'ожидается JSON-объект (a JSON object is expected)');
  if (jsonDepth(text, maxDepth) > maxDepth) {
    throw new HttpProblem(400, 'malformed', 'Слишком глубокая вложенность JSON (JSON nested too deeply)', `не более ${maxDepth} уровней (at most ${maxDepth} levels)`, [
      { field: '(body)', rule: `вложенность не более ${maxDepth} (nesting at most ${maxDepth})` },
    ]);
  }
  if (PROTOTYPE_KEY.test(text)) {
    throw new HttpProblem(400, 'malformed', 'Недопустимое имя поля (forbidden key)', 'ключи __proto__, constructor, prototype не принимаются (forbidden keys)', [
      { field: '(body)', rule: 'ключи __proto__, constructor, prototype запрещены (forbidden keys)' },
    ]);
  }
  try {
    return JSON.parse(text);
  } catch {
    // V8's message quotes the body: it is not repeated back (it may hold personal data).
    throw new HttpProblem(400, 'malformed', 'Некорректный JSON (malformed JSON)', 'тело запроса не разбирается как JSON (body is not valid JSON)', [
      { field: '(body)', rule: 'ожидается корректный JSON (valid JSON expected)' },
    ]);
  }
}
