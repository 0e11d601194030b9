/**
 * RFC 8785 JCS. Vectors: github.com/cyberphone/json-canonicalization (Apache-2.0) at commit 19d51d7,
 * testdata/{input,output,outhex}, vendored under libs/audit/testdata/jcs (from the shared test vectors) (see its LICENSE).
 * Number samples: RFC 8785 Appendix B and the es6testfile sample lines in that testdata README.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalize, canonicalizeToBytes, isCanonicalJson, parseCanonicalJson } from './jcs';

const DIR = join(__dirname, '../testdata/jcs/testdata');
const names = readdirSync(join(DIR, 'input')).filter((f) => f.endsWith('.json'));

describe('cyberphone JCS vectors', () => {
  it('has the six published vectors', () => {
    expect(names.sort()).toEqual([
      'arrays.json',
      'french.json',
      'structures.json',
      'unicode.json',
      'values.json',
      'weird.json',
    ]);
  });

  it.each(names)('%s', (name) => {
    const input: unknown = JSON.parse(readFileSync(join(DIR, 'input', name), 'utf8'));
    const expected = readFileSync(join(DIR, 'output', name));
    const hex = readFileSync(join(DIR, 'outhex', name.replace(/\.json$/, '.txt')), 'utf8').replace(/\s+/g, '');
    const actual = canonicalizeToBytes(input);
    expect(actual.toString('utf8')).toBe(expected.toString('utf8'));
    expect(actual).toEqual(expected);
    expect(actual.toString('hex')).toBe(hex.toLowerCase());
    expect(isCanonicalJson(expected)).toBe(true);
  });
});

describe('canonicalize', () => {
  it.each([
    // [IEEE-754 bits, expected] from the es6testfile README samples and RFC 8785 Appendix B.
    ['4340000000000001', '9007199254740994'],
    ['4340000000000002', '9007199254740996'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['8000000000000000', '0'],
    ['0000000000000000', '0'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['0000000000000001', '5e-324'],
    ['4340000000000000', '9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
  ])('number with bits %s is %s', (bits, expected) => {
    expect(canonicalize(Buffer.from(bits, 'hex').readDoubleBE(0))).toBe(expected);
  });

  it('sorts keys by UTF-16 code units, recursively, not by code point or locale', () => {
    // U+FB33 sorts after U+1D11E's high surrogate D834 in UTF-16 (and before it by code point).
    expect(canonicalize({ '\ufb33': 1, '\u{1d11e}': 2, b: { z: 1, a: [{ y: 0, x: 0 }] }, A: null })).toBe(
      '{"A":null,"b":{"a":[{"x":0,"y":0}],"z":1},"\u{1d11e}":2,"\ufb33":1}',
    );
  });

  it('escapes exactly as RFC 8785 §3.2.2.2', () => {
    expect(canonicalize('\u0000\u0008\t\n\u000b\f\r\u001f "\\/\u007f\u2028é😀')).toBe(
      '"\\u0000\\b\\t\\n\\u000b\\f\\r\\u001f \\"\\\\/\u007f\u2028é😀"',
    );
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['lone high surrogate', '\ud800'],
    ['lone low surrogate key', { '\udc00': 1 }],
    ['undefined member', { a: undefined }],
    ['bigint', 1n],
    ['function', () => 1],
    ['symbol', Symbol('x')],
    ['Date', new Date(0)],
    ['Map', new Map()],
  ])('rejects %s', (_, value) => {
    expect(() => canonicalize(value)).toThrow(TypeError);
  });

  it('rejects cycles but allows shared (acyclic) references', () => {
    const shared = { a: 1 };
    expect(canonicalize([shared, shared])).toBe('[{"a":1},{"a":1}]');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalize(cyclic)).toThrow(TypeError);
  });

  it('accepts null-prototype objects', () => {
    expect(canonicalize(Object.assign(Object.create(null) as object, { b: 1, a: 2 }))).toBe('{"a":2,"b":1}');
  });
});

describe('isCanonicalJson', () => {
  it.each([
    ['whitespace', '{"a": 1}'],
    ['unsorted keys', '{"b":1,"a":2}'],
    ['duplicate keys', '{"a":1,"a":1}'],
    ['non-canonical number', '[1.0]'],
    ['needless escape', '["\\u0041"]'],
    ['not JSON', '{'],
  ])('rejects %s', (_, text) => {
    expect(isCanonicalJson(Buffer.from(text))).toBe(false);
  });

  it('rejects invalid UTF-8', () => {
    expect(isCanonicalJson(Buffer.from([0x22, 0xff, 0x22]))).toBe(false);
  });

  it('accepts canonical bytes', () => {
    expect(isCanonicalJson(Buffer.from('{"a":[1,"x",true,null],"b":{}}'))).toBe(true);
  });
});

describe('parseCanonicalJson', () => {
  // Texts where JSON.stringify of the parsed value and RFC 8785 part ways: the fast path must not decide them.
  it.each([
    ['number-like keys in code-unit order', '{"10":1,"9":2}', true],
    ['number-like keys in numeric order', '{"9":1,"10":2}', false],
    ['an escaped lone surrogate', '["\\ud800"]', false],
    ['a raw lone surrogate', '["\ud800"]', false],
    ['an escaped surrogate pair', '["\\ud83d\\ude00"]', false],
    ['a raw surrogate pair', '["\ud83d\ude00"]', true],
    ['negative zero', '[-0]', false],
    ['an overflowing number', '[1e400]', false],
    ['a nested unsorted object', '{"a":[{"c":1,"b":2}]}', false],
    ['a nested sorted object', '{"a":[{"b":2,"c":1}]}', true],
    ['a __proto__ member', '{"__proto__":1,"a":2}', true],
    ['U+2028 unescaped', '["\u2028"]', true],
    ['a control character escaped', '["\\u001f\\n"]', true],
  ])('decides %s as canonicalize does', (_, text, canonical) => {
    const parsed = parseCanonicalJson(text);
    expect(parsed !== undefined).toBe(canonical);
    let reference: boolean;
    try {
      reference = canonicalize(JSON.parse(text)) === text;
    } catch {
      reference = false;
    }
    expect(reference).toBe(canonical);
    if (parsed) expect(parsed.value).toEqual(JSON.parse(text));
  });
});
