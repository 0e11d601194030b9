import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { canonicalize, leafHash } from '@muskel/audit';
import type { RecordedEvent } from '@muskel/event-store';
import { LeafTextBuilder, fastCanonicalize, leafHashOfText } from './fast-record';
import { auditRecord, recordText } from './record';

const awkward: unknown[] = [
  null,
  true,
  0,
  -0,
  1e21,
  1e-7,
  -123.456,
  Number.MAX_SAFE_INTEGER,
  '',
  'plain',
  'quote " backslash \\ slash / tab \t newline \n nul \u0000 unit \u001f del \u007f',
  'line sep \u2028 para sep \u2029 emoji 😀 é 中文',
  [],
  [1, 'two', null, [3], { b: 1, a: 2 }],
  {},
  {
    z: 1,
    a: { y: [1, 2], b: null },
    '': 'empty key',
    é: 1,
    e: 2,
    '\u20ac': 3,
    '\ud83d\ude00': 4,
    A: 5,
    '10': 6,
    '9': 7,
  },
  Object.assign(Object.create(null) as object, { b: 2, a: 1 }),
];

function event(overrides: Partial<RecordedEvent> & { metadata?: RecordedEvent['metadata'] }): RecordedEvent {
  return {
    id: randomUUID(),
    streamName: `household-${randomUUID()}`,
    revision: 3,
    type: 'MemberIncomeUpdated',
    data: { income: 1_500_000, note: 'Rumah "bambu" \\ lantai tanah\n', nested: { b: [1, { d: 2, c: 3 }], a: null } },
    metadata: {
      actor: { userId: 'u-1', role: 'operator', scope: 'village:1' },
      occurredAt: '2026-11-01T00:00:00.000Z',
    },
    position: '1',
    recordedAt: new Date('2026-11-22T03:04:05.456Z'),
    schemaVersion: 1,
    ...overrides,
  };
}

describe('fast leaf texts', () => {
  it('canonicalises exactly as libs/audit canonicalize', () => {
    for (const value of awkward) expect(fastCanonicalize(value)).toBe(canonicalize(value));
    expect(fastCanonicalize({ all: awkward })).toBe(canonicalize({ all: awkward }));
  });

  it('falls back to the reference off the fast path, errors included', () => {
    for (const bad of [
      { a: 'lone \ud800' },
      { n: Number.NaN },
      { n: Infinity },
      { d: new Date(0) },
      { u: undefined },
    ]) {
      expect(() => fastCanonicalize(bad)).toThrow(TypeError);
      expect(() => canonicalize(bad)).toThrow(TypeError);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => fastCanonicalize(cyclic)).toThrow(/cyclic/);
    // eslint-disable-next-line no-sparse-arrays -- a hole is what is tested
    const sparse = [1, , 3];
    expect(fastCanonicalize(sparse)).toBe(canonicalize(sparse));
  });

  it('builds the same leaf text as recordText(auditRecord(...)) for every shape of actor and metadata', () => {
    const key = randomBytes(32);
    const builder = new LeafTextBuilder(key);
    const events = [
      event({}),
      event({ metadata: {} }),
      event({ metadata: { actor: null } }),
      event({ metadata: { actor: ['u-1'] } }),
      event({ metadata: { actor: 'u-1' } }),
      event({ metadata: { actor: { userId: '' } } }),
      event({ metadata: { actor: { userId: 42, role: 7 } } }),
      event({ metadata: { actor: { userId: 'u-2', role: 'verifier' }, occurredAt: 12 } }),
      event({ metadata: { actor: { userId: '3201012001000001' }, occurredAt: '2026-01-01T00:00:00Z' } }),
      event({ type: 'Tipe "aneh"\n', streamName: 'stream-é-😀', revision: 0 }),
      event({ data: { all: awkward } as never }),
      event({ data: { lone: '\udfff' } }), // the reference throws: so must the builder
    ];
    for (const [seq, e] of events.entries()) {
      for (const again of [false, true]) {
        const at = seq * 1000 + (again ? 1 : 0);
        let expected: string | Error;
        try {
          expected = recordText(auditRecord(e, at, key));
        } catch (error) {
          expected = error as Error;
        }
        if (expected instanceof Error) expect(() => builder.text(e, at)).toThrow(expected.message);
        else expect(builder.text(e, at)).toBe(expected);
      }
    }
  });

  it('hashes a leaf text as leafHash of its UTF-8 bytes', () => {
    for (const text of ['', '{"a":1}', 'é 😀 \u0000 end', 'x'.repeat(5000)]) {
      expect(leafHashOfText(text).equals(leafHash(Buffer.from(text, 'utf8')))).toBe(true);
    }
  });

  it('writes what canonicalize writes, or fails where it fails, with keys in order or not (fast-check)', () => {
    /** A copy whose objects get their keys in code-unit order: the values the native path takes. */
    const ordered = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(ordered);
      if (value === null || typeof value !== 'object') return value;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) {
        const member = ordered((value as Record<string, unknown>)[key]);
        Object.defineProperty(out, key, { value: member, enumerable: true, writable: true, configurable: true });
      }
      return out;
    };
    const outcome = (write: () => string): string => {
      try {
        return write();
      } catch {
        return 'refused';
      }
    };
    const strings = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom('\ud800', 'a\udc00b', '\\ud83d', '10', '9', '__proto__', 'constructor', 'toString'),
    );
    const values = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        strings,
        fc.double(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(strings, tie('value'), { maxKeys: 5 }),
      ),
    })).value;
    fc.assert(
      fc.property(values, fc.boolean(), (value, sort) => {
        const input = sort ? ordered(value) : value;
        expect(outcome(() => fastCanonicalize(input))).toBe(outcome(() => canonicalize(input as never)));
      }),
      { numRuns: 3000 },
    );
  });
});
