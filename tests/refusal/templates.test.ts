import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Handlebars from 'handlebars';
import { createTemplateRegistry, loadGroundsCatalog, RefusalConfigError } from '../../refusal';
import { checkTemplate, shape } from '../../refusal/templateCheck';
import { defaultTemplatesDir, HELPER_SIGNATURES, LAYOUT_SHAPE } from '../../refusal/templateRegistry';

const catalog = loadGroundsCatalog();
const facts = shape.object({
  missingDocuments: shape.list(shape.scalar),
  deadline: shape.scalar,
  note: shape.optional(shape.scalar),
});
const check = (src: string, root = facts, partials: Record<string, string> = {}) =>
  checkTemplate('t.hbs', Handlebars.parse(src), root, {
    helpers: HELPER_SIGNATURES,
    partials: Object.fromEntries(Object.entries(partials).map(([k, v]) => [k, Handlebars.parse(v)])),
  });

describe('AST check of template variables', () => {
  it('accepts declared variables, guarded optionals, each-scopes and helpers', () => {
    expect(
      check(
        '{{#para}}{{formatDate deadline}}{{#if note}} {{note}}{{/if}}{{/para}}' +
          '{{#each missingDocuments}}{{#item}}{{this}}{{#if @last}}.{{else}};{{/if}}{{/item}}{{/each}}' +
          '{{#para}}{{formatDate (addYears deadline 3)}} {{join missingDocuments ", "}}{{/para}}',
      ),
    ).toEqual([]);
  });

  it('rejects an undeclared variable inside {{#if}} — the case strict mode misses', () => {
    // Prove the premise: strict mode renders this silently.
    const strict = Handlebars.create().compile('{{#if missingDocumnets}}x{{else}}y{{/if}}', { strict: true });
    expect(strict({ missingDocuments: ['a'] })).toBe('y');
    expect(check('{{#if missingDocumnets}}{{#para}}x{{/para}}{{/if}}')).toEqual([
      't.hbs:1:7: variable "missingDocumnets" is not declared in the schema of t.hbs',
    ]);
  });

  it('rejects undeclared variables in output, helper arguments, sub-expressions and partials', () => {
    expect(check('{{#para}}{{deadlin}}{{/para}}')[0]).toMatch(/"deadlin" is not declared/);
    expect(check('{{#para}}{{formatDate submittedAt}}{{/para}}')[0]).toMatch(/"submittedAt" is not declared/);
    expect(check('{{#para}}{{formatDate (addYears issued 3)}}{{/para}}')[0]).toMatch(/"issued" is not declared/);
    expect(check('{{> p}}', facts, { p: '{{#para}}{{nope}}{{/para}}' })[0]).toMatch(/^p:1:\d+: variable "nope"/);
    expect(check('{{#each missingDocuments}}{{#item}}{{../nope}}{{/item}}{{/each}}')[0]).toMatch(/"..\/nope" is not declared/);
    expect(check('{{#para}}{{constructor}}{{/para}}')[0]).toMatch(/"constructor" is not declared/);
    expect(check('{{#para}}{{deadline.length}}{{/para}}')[0]).toMatch(/"deadline.length" is not declared/);
  });

  it('requires optional values to be guarded', () => {
    expect(check('{{#para}}{{note}}{{/para}}')[0]).toMatch(/optional "note" is used outside \{\{#if note\}\}/);
    expect(check('{{#if note}}{{else}}{{#para}}{{note}}{{/para}}{{/if}}')[0]).toMatch(/optional "note"/);
    expect(check('{{#unless note}}{{else}}{{#para}}{{note}}{{/para}}{{/unless}}')).toEqual([]);
  });

  it('rejects unknown helpers and partials, wrong arity, triple-stash, lookup and printing a list', () => {
    expect(check('{{#para}}{{upper deadline}}{{/para}}')[0]).toMatch(/unknown helper "upper"/);
    expect(check('{{#shout}}x{{/shout}}')[0]).toMatch(/unknown block helper "shout"/);
    expect(check('{{> missing}}')[0]).toMatch(/unknown or dynamic partial "missing"/);
    expect(check('{{#para}}{{plural deadline "день"}}{{/para}}')[0]).toMatch(/expects 4 argument/);
    expect(check('{{#para}}{{{deadline}}}{{/para}}')[0]).toMatch(/triple-stash/);
    expect(check('{{#para}}{{lookup this "deadline"}}{{/para}}')[0]).toMatch(/unknown helper "lookup"/);
    expect(check('{{#para}}{{missingDocuments}}{{/para}}')[0]).toMatch(/is a list and cannot be printed/);
    expect(check('{{#each deadline}}x{{/each}}')[0]).toMatch(/needs a list/);
    expect(check('{{#para}}{{@index}}{{/para}}')[0]).toMatch(/data variable "@index"/);
  });

  it('accepts the shipped layout against its schema', () => {
    const dir = defaultTemplatesDir();
    const appeal = Handlebars.parse(fs.readFileSync(path.join(dir, 'appeal.hbs'), 'utf8'));
    const layout = Handlebars.parse(fs.readFileSync(path.join(dir, 'layout.hbs'), 'utf8'));
    expect(checkTemplate('layout.hbs', layout, LAYOUT_SHAPE, { helpers: HELPER_SIGNATURES, partials: { appeal } })).toEqual([]);
  });
});

describe('template registry start-up checks', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'refusal-templates-'));
    fs.cpSync(defaultTemplatesDir(), tmp, { recursive: true });
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const problems = (): string[] => {
    try {
      createTemplateRegistry(catalog, { templatesDir: tmp });
      return [];
    } catch (e) {
      expect(e).toBeInstanceOf(RefusalConfigError);
      return [...(e as RefusalConfigError).problems];
    }
  };

  it('accepts the shipped templates and exposes a content-hash version', () => {
    expect(problems()).toEqual([]);
    expect(createTemplateRegistry(catalog, { templatesDir: tmp }).templateVersion).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects a ground partial that tests an undeclared fact in {{#if}}', () => {
    const file = path.join(tmp, 'grounds/construction-permit/land-use-mismatch.hbs');
    fs.appendFileSync(file, '{{#if cadastralNumber}}{{#para}}Кадастровый номер указан.{{/para}}{{/if}}\n');
    expect(problems()).toEqual([
      expect.stringMatching(/^grounds\/construction-permit\/land-use-mismatch\.hbs:\d+:\d+: variable "cadastralNumber" is not declared/),
    ]);
  });

  it('rejects a layout variable missing from the layout schema', () => {
    fs.appendFileSync(path.join(tmp, 'layout.hbs'), '{{#para}}{{applicant.inn}}{{/para}}');
    expect(problems()[0]).toMatch(/layout\.hbs:\d+:\d+: variable "applicant.inn" is not declared/);
  });

  it('rejects a missing ground partial and an orphan one', () => {
    fs.rmSync(path.join(tmp, 'grounds/archive-certificate/unreadable-request.hbs'));
    fs.writeFileSync(path.join(tmp, 'grounds/archive-certificate/old-ground.hbs'), '{{#para}}x{{/para}}');
    const p = problems().join('\n');
    expect(p).toMatch(/grounds\/archive-certificate\/unreadable-request\.hbs: template file is missing/);
    expect(p).toMatch(/grounds\/archive-certificate\/old-ground\.hbs: no such ground in the catalog/);
  });

  it('rejects markup errors found by the sample render (text outside a block)', () => {
    fs.appendFileSync(path.join(tmp, 'grounds/construction-permit/gpzu-expired.hbs'), 'Забытый текст без блока.');
    expect(problems().join('\n')).toMatch(/construction-permit \(sample render\): Text outside a block/);
  });

  it('changes templateVersion when any template changes', () => {
    const before = createTemplateRegistry(catalog, { templatesDir: tmp }).templateVersion;
    fs.appendFileSync(path.join(tmp, 'appeal.hbs'), '{{!-- edited --}}\n');
    expect(createTemplateRegistry(catalog, { templatesDir: tmp }).templateVersion).not.toBe(before);
  });
});
