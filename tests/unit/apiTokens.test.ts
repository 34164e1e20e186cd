// HTTP API tokens from the environment: validated at start-up, naming the entry and field, never the token.
import { TokenRegistry } from '../../http/auth';
import { HttpProblem } from '../../http/problem';
import { InputValidationError } from '../../shared/validation';
import { loadWorkerConfig } from '../../worker/config';

const good = 'a-good-token-that-is-long-enough-1234567890';

describe('CASE_API_TOKENS', () => {
  it('accepts a valid list', () => {
    const config = loadWorkerConfig({ CASE_API_TOKENS: JSON.stringify([{ token: good, role: 'clerk', subject: 'ivanova', expiresAt: '2030-01-01T00:00:00Z' }]) });
    expect(config.CASE_API_TOKENS).toEqual([{ token: good, role: 'clerk', subject: 'ivanova', expiresAt: '2030-01-01T00:00:00Z' }]);
  });

  it.each([
    ['not JSON', '[{', 'CASE_API_TOKENS'],
    ['short token', JSON.stringify([{ token: 'short-secret', role: 'clerk', subject: 'x' }]), 'CASE_API_TOKENS[0].token'],
    ['unknown role', JSON.stringify([{ token: good, role: 'admin', subject: 'x' }]), 'CASE_API_TOKENS[0].role'],
    ['bad expiry', JSON.stringify([{ token: good, role: 'head', subject: 'x', expiresAt: 'tomorrow' }]), 'CASE_API_TOKENS[0].expiresAt'],
    ['duplicate', JSON.stringify([{ token: good, role: 'head', subject: 'x' }, { token: good, role: 'clerk', subject: 'y' }]), 'CASE_API_TOKENS[1].token'],
    ['unknown field', JSON.stringify([{ token: good, role: 'head', subject: 'x', admin: true }]), 'CASE_API_TOKENS[0]'],
  ])('refuses %s, naming the field and never the token', (_what, value, field) => {
    let error: unknown;
    try {
      loadWorkerConfig({ CASE_API_TOKENS: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputValidationError);
    const problems = (error as InputValidationError).problems;
    expect(problems.map((p) => p.field)).toContain(field);
    expect((error as Error).message).not.toContain('short-secret');
    expect((error as Error).message).not.toContain(good);
  });
});

describe('TokenRegistry', () => {
  const now = new Date('2026-12-02T00:00:00Z');
  const registry = new TokenRegistry(
    [
      { token: good, role: 'head', subject: 'kuznetsov' },
      { token: `${good}-old`, role: 'clerk', subject: 'ivanova', expiresAt: '2026-12-01T00:00:00Z' },
    ],
    'department',
    () => now,
  );

  it('knows a valid token, with the default department', () => {
    expect(registry.authenticate(`Bearer ${good}`)).toMatchObject({ role: 'head', subject: 'kuznetsov', department: 'department', tokenId: expect.stringMatching(/^[0-9a-f]{12}$/) });
  });

  it.each([
    ['missing', undefined, 'missing Authorization'],
    ['other scheme', `Basic ${good}`, 'Bearer'],
    ['unknown', 'Bearer not-a-known-token-xxxxxxxxxxxxxxxxxxxxxxxx', 'unknown token'],
    ['expired', `Bearer ${good}-old`, 'token expired'],
  ])('refuses a %s token with 401', (_what, header, says) => {
    let error: unknown;
    try {
      registry.authenticate(header);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HttpProblem);
    expect((error as HttpProblem).status).toBe(401);
    expect((error as HttpProblem).detail).toContain(says);
  });
});
