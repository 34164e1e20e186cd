// The native validator runs xmllint from a small host process: results are those of xmllint itself, and a host
// that dies (killed by an operator, out of memory) is replaced on the next validation.
import { stopXmllintHost, validateAgainstElkXsd } from '../../epgu/xsdValidator';
import { buildElkCreateOrdersRequest } from '../../epgu';
import { CTX, createInput } from './fixtures';

afterAll(() => stopXmllintHost());

describe('xmllint host', () => {
  const valid = buildElkCreateOrdersRequest(createInput(), CTX);
  const invalid = valid.replace(/<statusDate>[^<]*<\/statusDate>/, '<statusDate>вчера</statusDate>');

  it('answers concurrent validations each with its own verdict', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => validateAgainstElkXsd(i % 3 ? valid : invalid)));
    results.forEach((r, i) => {
      if (i % 3) expect(r).toEqual({ valid: true, errors: [] });
      else {
        expect(r.valid).toBe(false);
        expect(r.errors.join('\n')).toMatch(/statusDate/);
      }
    });
  });

  it('starts a fresh host after the old one was killed', async () => {
    await validateAgainstElkXsd(valid);
    stopXmllintHost();
    expect(await validateAgainstElkXsd(valid)).toEqual({ valid: true, errors: [] });
    expect((await validateAgainstElkXsd(invalid)).valid).toBe(false);
  });
});
