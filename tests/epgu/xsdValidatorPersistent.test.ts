// The long-lived validator (elk-xsd-host, built by scripts/ensure-tools.sh) compiles the ЕЛК schema once and
// must be exactly as strict as `xmllint --noout --nonet --schema`, which it replaces: the same verdict on valid
// messages, on every kind of broken one, and on hostile XML (external entities, DOCTYPE tricks, oversize).
import { spawn } from 'node:child_process';
import { buildElkCreateOrdersRequest, buildElkUpdateOrdersRequest } from '../../epgu';
import { stopXmllintHost, validateAgainstElkXsd, xmllintHostPid, xsdValidatorKind } from '../../epgu/xsdValidator';
import { CTX, createInput, updateInput } from './fixtures';
import { ELK_XSD } from './helpers';

afterAll(() => stopXmllintHost());

/** What `xmllint --noout --nonet --schema` says: exit code and its schema-error messages without the "-:line: " prefix. */
function xmllint(xml: string): Promise<{ valid: boolean; schemaErrors: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/xmllint', ['--noout', '--nonet', '--schema', ELK_XSD, '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const schemaErrors = stderr
        .split('\n')
        .filter((l) => l.includes('Schemas validity error'))
        .map((l) => l.replace(/^-:\d+: /, '').trim());
      resolve({ valid: code === 0, schemaErrors });
    });
    child.stdin.end(xml, 'utf8');
  });
}

const create = buildElkCreateOrdersRequest(createInput(), CTX);
const update = buildElkUpdateOrdersRequest(updateInput(3, '2026-03-06T08:00:00Z'), CTX);

const CORPUS: Record<string, string> = {
  'valid Create': create,
  'valid Update': update,
  'statusDate not a dateTime': create.replace(/<statusDate>[^<]*<\/statusDate>/, '<statusDate>вчера</statusDate>'),
  'required element missing': create.replace(/<statusDate>[^<]*<\/statusDate>/, ''),
  'unknown element': create.replace('</snils>', '</snils><nickname>x</nickname>'),
  'wrong namespace': create.replace('http://epgu.gosuslugi.ru/elk/status/1.0.2', 'http://example.org/other'),
  'not well-formed': create.slice(0, create.length - 20),
  'not XML at all': 'статус: принято',
  empty: '',
  'external entity': create
    .replace('<?xml version="1.0" encoding="UTF-8"?>', '')
    .replace('<ElkOrderRequest', '<!DOCTYPE ElkOrderRequest [<!ENTITY x SYSTEM "file:///etc/hostname">]><ElkOrderRequest')
    .replace(/<snils>[^<]*<\/snils>/, '<snils>&x;</snils>'),
  'external DTD over the network': create
    .replace('<?xml version="1.0" encoding="UTF-8"?>', '')
    .replace('<ElkOrderRequest', '<!DOCTYPE ElkOrderRequest SYSTEM "http://127.0.0.1:9/evil.dtd"><ElkOrderRequest'),
  'internal entity expansion': create
    .replace('<?xml version="1.0" encoding="UTF-8"?>', '')
    .replace('<ElkOrderRequest', `<!DOCTYPE ElkOrderRequest [<!ENTITY a "${'a'.repeat(50)}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><ElkOrderRequest`)
    .replace(/<snils>[^<]*<\/snils>/, '<snils>&b;</snils>'),
};

describe('elk-xsd-host: the schema compiled once', () => {
  it('is the validator in use once scripts/ensure-tools.sh has built it', () => {
    expect(xsdValidatorKind()).toBe('elk-xsd-host');
  });

  it.each(Object.entries(CORPUS))('gives the same verdict and schema errors as xmllint: %s', async (_name, xml) => {
    const [ours, theirs] = await Promise.all([validateAgainstElkXsd(xml), xmllint(xml)]);
    expect(ours.valid).toBe(theirs.valid);
    if (!ours.valid) expect(ours.errors.length).toBeGreaterThan(0);
    const ourSchemaErrors = ours.errors.filter((e) => e.includes('Schemas validity error'));
    expect(ourSchemaErrors).toEqual(theirs.schemaErrors);
  });

  it('names the offending element in a schema error', async () => {
    const r = await validateAgainstElkXsd(CORPUS['statusDate not a dateTime']!);
    expect(r.valid).toBe(false);
    expect(r.errors.join('\n')).toMatch(/statusDate.*вчера.*dateTime/);
  });

  it('answers many documents from one process, each with its own verdict, in order', async () => {
    await validateAgainstElkXsd(create);
    const pid = xmllintHostPid();
    expect(pid).toBeDefined();
    const docs = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? CORPUS['unknown element']! : i % 4 === 1 ? update : create));
    const results = await Promise.all(docs.map((d) => validateAgainstElkXsd(d)));
    results.forEach((r, i) => expect(r.valid).toBe(i % 4 !== 0));
    expect(xmllintHostPid()).toBe(pid);
  });

  it('rejects a document over 1 MiB without parsing it', async () => {
    const big = create.replace('</snils>', `</snils><!--${'x'.repeat(1024 * 1024)}-->`);
    expect(await validateAgainstElkXsd(big)).toEqual({ valid: false, errors: ['document exceeds 1048576 bytes'] });
  });

  it('starts a fresh process after the old one was killed', async () => {
    await validateAgainstElkXsd(create);
    const first = xmllintHostPid()!;
    process.kill(first, 'SIGKILL');
    // The validation that meets the dying process may fail; the next one runs in a new process.
    await validateAgainstElkXsd(create).catch(() => undefined);
    await expect(validateAgainstElkXsd(create)).resolves.toEqual({ valid: true, errors: [] });
    expect(xmllintHostPid()).not.toBe(first);
    expect((await validateAgainstElkXsd(CORPUS['unknown element']!)).valid).toBe(false);
  });
});
