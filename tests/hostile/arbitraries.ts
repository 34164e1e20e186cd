// fast-check generators for hostile input, shared by the hostile suites.
import fc from 'fast-check';
import { CaseClient } from '../../client/caseClient';
import { ServiceRegistry } from '../../services/registry';
import type { ApplicationInput } from '../../shared/application';
import { SAMPLE_PERSON, snilsFor } from '../support/harness';

/** Strings an attacker or a broken upstream system would send. */
export const NASTY_STRINGS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '\u202Eгеоргий\u202C', // RTL override: text spoofing
  '\u2066x\u2069',
  'a\u0000b',
  '\u0007\u001b[31m',
  '\uD800', // lone surrogate
  '\uE000', // private use (markup sentinel in refusal/documentModel)
  '{{constructor}}',
  '{{{raw}}}',
  '&amp;&lt;',
  ']]><![CDATA[',
  '<!DOCTYPE x [<!ENTITY a "b">]>',
  "' OR 1=1 --",
  '__proto__',
  ' ',
  '',
  '\r\n',
  'Ё'.repeat(101),
] as const;

export const hostileString = (maxLength = 200): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.constantFrom(...NASTY_STRINGS),
  );

/** Any JSON-ish value, including the nasty strings, kept small. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    hostileString(50),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('v'), { maxKeys: 3 }),
  ),
})).v;

/** A marker that must never reappear in an error message: stands for a personal value. */
export const piiMarker = fc.nat({ max: 1e9 }).map((n) => `ZqPII${n}`);

export function validApplication(n: number, overrides: Partial<ApplicationInput> = {}): ApplicationInput {
  return {
    applicationNumber: `HOST-${process.pid % 100000}-${Date.now() % 1e7}-${n}`,
    serviceCode: 'archive-certificate',
    channel: 'inPerson',
    receivedAt: new Date().toISOString(),
    applicant: { kind: 'person', ...SAMPLE_PERSON, snils: snilsFor(112233445) },
    assignedClerk: 'ivanova',
    ...overrides,
  };
}

/** Every leaf and object path of the sample application, so mutations reach every field. */
export const APPLICATION_PATHS: string[][] = [
  ['applicationNumber'],
  ['serviceCode'],
  ['channel'],
  ['receivedAt'],
  ['assignedClerk'],
  ['officeName'],
  ['applicant'],
  ['applicant', 'kind'],
  ['applicant', 'lastName'],
  ['applicant', 'firstName'],
  ['applicant', 'middleName'],
  ['applicant', 'snils'],
  ['applicant', 'inn'],
  ['applicant', 'passport'],
  ['applicant', 'passport', 'series'],
  ['applicant', 'birthDate'],
  ['applicant', 'postalAddress'],
  ['applicant', 'phone'],
  ['applicant', 'email'],
  ['applicant', 'title'],
  ['applicant', 'ogrn'],
];

export function setPath(target: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(target);
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/** A CaseClient whose Temporal client is never called: validation happens before any RPC. */
export function offlineCaseClient(): CaseClient {
  const unreachable = new Proxy({}, { get: () => { throw new Error('offline client: no RPC expected'); } });
  return new CaseClient({ client: unreachable as never, services: ServiceRegistry.load() });
}
