// Where elk-xsd-host is not built, the native validator runs xmllint from a small host process: results are
// those of xmllint itself, and a host that dies (killed by an operator, out of memory) is replaced on the next
// validation. ELK_XSD_HOST=off selects this fallback (read at the first validation).
import { stopXmllintHost, validateAgainstElkXsd, xsdValidatorKind } from '../../epgu/xsdValidator';
import { buildElkCreateOrdersRequest } from '../../epgu';
import { CTX, createInput } from './fixtures';

const previous = process.env.ELK_XSD_HOST;
process.env.ELK_XSD_HOST = 'off';
afterAll(() => {
  stopXmllintHost();
  if (previous === undefined) delete process.env.ELK_XSD_HOST;
  else process.env.ELK_XSD_HOST = previous;
});

describe('xmllint host (fallback)', () => {
  it('is the validator in use with ELK_XSD_HOST=off', () => {
    expect(xsdValidatorKind()).toBe('xmllint');
  });

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
