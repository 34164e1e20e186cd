import { escapeXmlAttr, escapeXmlText, parseXml, XmlParseError } from '../../epgu/xmlReader';

describe('xmlReader', () => {
  it('resolves namespaces, CDATA, character references and attributes', () => {
    const root = parseXml(
      `\uFEFF<?xml version="1.0" encoding="utf-8"?><a:r xmlns:a="urn:a" xmlns="urn:d" k='v&amp;"'><c>x&#1046;&#x416;<![CDATA[<raw>&]]></c><a:d/></a:r>`,
    );
    expect(root).toMatchObject({ local: 'r', ns: 'urn:a' });
    expect(root.attributes.find((a) => a.local === 'k')?.value).toBe('v&"');
    expect(root.children.map((c) => [c.local, c.ns])).toEqual([
      ['c', 'urn:d'],
      ['d', 'urn:a'],
    ]);
    expect(root.children[0]!.text).toBe('xЖЖ<raw>&');
  });

  it.each([
    ['non-UTF-8 encoding', '<?xml version="1.0" encoding="windows-1251"?><r/>', /unsupported encoding/],
    ['undeclared prefix', '<p:r/>', /undeclared namespace prefix/],
    ['forbidden character reference', '<r>&#0;</r>', /unsupported entity/],
    ['raw control character', '<r>\u0001</r>', /not allowed in XML/],
    ['external entity', '<!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>', /DOCTYPE/],
    ['too deep', '<a>'.repeat(100) + '</a>'.repeat(100), /nesting deeper/],
    ['text after root', '<r/>x', /after the root/],
  ])('rejects %s', (_what, xml, pattern) => {
    expect(() => parseXml(xml)).toThrow(XmlParseError);
    expect(() => parseXml(xml)).toThrow(pattern);
  });

  it('escapes text and attributes so that they parse back unchanged', () => {
    const s = `a&b<c>d"e'f\tg\nh\ri`;
    const root = parseXml(`<r v="${escapeXmlAttr(s)}">${escapeXmlText(s)}</r>`);
    expect(root.text).toBe(s);
    expect(root.attributes[0]!.value).toBe(s);
    // Raw CR/CRLF line ends are normalised like any XML parser does.
    expect(parseXml('<r>a\r\nb\rc</r>').text).toBe('a\nb\nc');
  });
});
