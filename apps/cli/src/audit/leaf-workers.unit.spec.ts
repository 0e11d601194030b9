/**
 * `scanLeafRecord`, the quick check that verify-export's workers (and its own thread) trust for records of the common
 * shape: whatever it accepts, the reference `parseCanonicalJson` must accept with the same value, on canonical texts,
 * on texts close to canonical, and on anything else; and it must accept the records the log writes.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { type JsonValue, canonicalize, parseCanonicalJson } from '@muskel/audit';
import { createLeafScanner, scanLeafRecord } from './leaf-workers';

/** Sound: an accepted text is canonical JSON and the value is the reference's. */
function expectSound(text: string, scan = scanLeafRecord): void {
  const found = scan(text);
  if (found === undefined) return;
  const reference = parseCanonicalJson(text);
  expect(reference).toBeDefined();
  expect(found).toEqual(reference!.value);
}

const jsonPrimitive = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const jsonValue = fc.oneof(
  jsonPrimitive,
  fc.array(jsonPrimitive, { maxLength: 3 }),
  fc.dictionary(fc.string(), jsonPrimitive),
);
const keys = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.constantFrom('1', '10', '9', '__proto__', ''),
);
const record = fc
  .record({
    seq: fc.oneof(fc.nat(), fc.integer({ min: -5, max: 5 }), fc.constant(-0), fc.double({ noNaN: true })),
    eventId: fc.oneof(fc.uuid(), fc.string({ maxLength: 5 }), fc.integer()),
    others: fc.dictionary(keys, jsonValue, { maxKeys: 6 }),
  })
  .map(({ seq, eventId, others }): Record<string, JsonValue> => ({ ...others, seq, eventId }));

/** Canonical text, or undefined when JCS refuses the value (a lone surrogate). */
function canonicalText(value: JsonValue): string | undefined {
  try {
    return canonicalize(value);
  } catch {
    return undefined;
  }
}

describe('scanLeafRecord', () => {
  it('accepts the records the log writes (flat, sorted, plain strings and integers)', () => {
    const text = canonicalize({
      actor: 'LUQ_LV0pyu7Gh7vNKF9Neg',
      digest: 'sha256:CQBT9WTiaRXGD08445biYnMYmhwGgBMxEDBB3FkpPJ4',
      eventId: randomUUID(),
      occurredAt: '2026-11-01T00:00:00.000Z',
      recordedAt: '2026-11-22T23:06:36.034Z',
      revision: 0,
      role: 'operator',
      seq: 123_456,
      stream: 'proposal-4cc47f81-36fb-4ae7-a19f-4052b57ce3d0',
      type: 'ProposalSubmitted',
      v: 1,
      verifier: null,
      ok: true,
      name: 'Désa Sukamaju 😀',
    });
    expect(scanLeafRecord(text)).toEqual(JSON.parse(text));
  });

  it('accepts every canonical record of the common shape (fast-check)', () => {
    const plain = fc.oneof(
      fc.stringMatching(/^[\w .:+/-]{0,20}$/),
      fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }),
      fc.boolean(),
      fc.constant(null),
    );
    const common = fc
      .record({
        seq: fc.nat(),
        eventId: fc.uuid(),
        others: fc.dictionary(fc.stringMatching(/^[a-zA-Z_][\w]{0,8}$/), plain, { maxKeys: 12 }),
      })
      .map(({ seq, eventId, others }) => ({ ...others, seq, eventId }));
    fc.assert(
      fc.property(common, (value) => {
        const text = canonicalize(value);
        expect(scanLeafRecord(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves every other shape to the reference', () => {
    const cases = [
      '{"eventId":"e","seq":1,"x":"a\\"b"}', // an escape
      '{"eventId":"e","seq":1.5}', // a fraction
      '{"eventId":"e","seq":1,"x":{"a":1}}', // nested
      '{"eventId":"e","seq":1,"x":[1]}',
      '{"1":1,"eventId":"e","seq":1}', // a key like an array index
      '{"eventId":"e","seq":1234567890123456}', // 16 digits
    ];
    for (const text of cases) {
      expect(parseCanonicalJson(text)).toBeDefined();
      expect(scanLeafRecord(text)).toBeUndefined();
    }
  });

  it('refuses what is not canonical', () => {
    const cases = [
      '{"seq":1,"eventId":"e"}', // order
      '{"eventId":"e","eventId":"e","seq":1}', // a duplicate
      '{"eventId":"e","seq":1,"seq":1}',
      '{"eventId":"e", "seq":1}', // whitespace
      '{"eventId":"e","seq":01}',
      '{"eventId":"e","seq":-0}',
      '{"eventId":"e","seq":+1}',
      '{"eventId":"e","seq":1e2}',
      '{"eventId":"e","seq":1}\n',
      '{"eventId":"e","seq":1,}',
      '{"eventId":"e","seq":"1"}', // seq not a number
      '{"eventId":2,"seq":1}',
      '{"eventId":"\u0001","seq":1}', // a raw control character
      '{"eventId":"\ud800","seq":1}', // a lone surrogate
    ];
    for (const text of cases) expect(scanLeafRecord(text)).toBeUndefined();
  });

  it('accepts only canonical texts, with the reference value (canonical records, fast-check)', () => {
    fc.assert(
      fc.property(record, (value) => {
        const text = canonicalText(value);
        if (text !== undefined) expectSound(text);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts only canonical texts, with the reference value (texts near canonical, fast-check)', () => {
    const mutated = fc
      .tuple(
        record,
        fc.nat(),
        fc.nat(),
        fc.constantFrom(' ', ',', '"', '\\', '0', '-', '}', '{', ':', '1', 'e', '\n', '.'),
      )
      .map(([value, at, to, ch]) => {
        const text = canonicalText(value) ?? JSON.stringify(value);
        const i = at % (text.length + 1);
        const j = to % (text.length + 1);
        switch (to % 4) {
          case 0:
            return text.slice(0, i) + ch + text.slice(i); // insert
          case 1:
            return text.slice(0, i) + text.slice(i + 1); // delete
          case 2:
            return text.slice(0, i) + ch + text.slice(i + 1); // replace
          default: {
            const [a, b] = i < j ? [i, j] : [j, i]; // move a piece
            return text.slice(0, a) + text.slice(b) + text.slice(a, b);
          }
        }
      });
    fc.assert(
      fc.property(mutated, (text) => expectSound(text)),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => expectSound(text)),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(record, (value) => expectSound(JSON.stringify(value))),
      { numRuns: 2000 },
    );
  });
});

/** A record as the log writes it, with fields that vary from leaf to leaf. */
function logRecord(seq: number, extra: Record<string, JsonValue> = {}): Record<string, JsonValue> {
  return {
    actor: 'LUQ_LV0pyu7Gh7vNKF9Neg',
    digest: 'sha256:CQBT9WTiaRXGD08445biYnMYmhwGgBMxEDBB3FkpPJ4',
    eventId: randomUUID(),
    occurredAt: '2026-11-01T00:00:00.000Z',
    recordedAt: '2026-11-22T23:06:36.034Z',
    revision: seq % 3,
    role: 'operator',
    seq,
    stream: 'proposal-4cc47f81-36fb-4ae7-a19f-4052b57ce3d0',
    type: 'ProposalSubmitted',
    v: 1,
    ...extra,
  };
}

describe('scanLeafRecord on learnt shapes (the path most leaves take)', () => {
  it('learns a shape from an accepted record and reads later records of it with the reference value', () => {
    const scan = createLeafScanner();
    const first = canonicalize(logRecord(0, { verifier: null, ok: true, no: false }));
    expect(scan(first)).toEqual(JSON.parse(first));
    fc.assert(
      fc.property(
        fc.nat(),
        fc.stringMatching(/^[\w .:+/-]{0,30}$/),
        fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }),
        (seq, actor, revision) => {
          const text = canonicalize(logRecord(seq, { actor, revision, verifier: null, ok: true, no: false }));
          expect(scan(text)).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('accepts only canonical texts, with the reference value, on a learnt shape altered in every way (fast-check)', () => {
    const scan = createLeafScanner();
    const base = canonicalize(logRecord(7, { verifier: null, ok: true }));
    expect(scan(base)).toBeDefined(); // the shape is learnt
    const altered = fc
      .tuple(
        fc.nat(),
        fc.nat(),
        fc.constantFrom(' ', ',', '"', '\\', '0', '-', '}', '{', ':', '1', 'e', '\n', '.', 'x', '\u0001', '\ud800'),
      )
      .map(([at, to, ch]) => {
        const i = at % (base.length + 1);
        const j = to % (base.length + 1);
        switch (to % 4) {
          case 0:
            return base.slice(0, i) + ch + base.slice(i);
          case 1:
            return base.slice(0, i) + base.slice(i + 1);
          case 2:
            return base.slice(0, i) + ch + base.slice(i + 1);
          default: {
            const [a, b] = i < j ? [i, j] : [j, i];
            return base.slice(0, a) + base.slice(b) + base.slice(a, b);
          }
        }
      });
    fc.assert(
      fc.property(altered, (text) => expectSound(text, scan)),
      { numRuns: 10_000 },
    );
    // Each text on its own, as on the general path, gives the same answer as after the shape was learnt.
    fc.assert(
      fc.property(altered, (text) => expect(scan(text)).toEqual(createLeafScanner()(text))),
      { numRuns: 3000 },
    );
  });

  it('refuses on a learnt shape what is not canonical', () => {
    const scan = createLeafScanner();
    expect(scan('{"eventId":"e","seq":1,"x":null}')).toBeDefined();
    const cases = [
      '{"eventId":"e","seq":01,"x":null}',
      '{"eventId":"e","seq":-0,"x":null}',
      '{"eventId":"e","seq":1.5,"x":null}',
      '{"eventId":"e","seq":"1","x":null}',
      '{"eventId":"e","seq":1,"x":nul}',
      '{"eventId":"e","seq":1,"x":null }',
      '{"eventId":"\ud800","seq":1,"x":null}',
      '{"eventId":"\u0001","seq":1,"x":null}',
      '{"eventId":"e","seq":1,"x":null,"x":null}',
    ];
    for (const text of cases) expect(scan(text)).toBeUndefined();
  });

  it('matches a learnt key exactly, whatever characters it has', () => {
    const scan = createLeafScanner();
    const keys = ['a.b', '(x)', '$', '[^]', 'a*', 'Désa', '😀', 'a|b', 'a+?', 'k\u007f'];
    const learnt = Object.fromEntries(keys.map((k, i): [string, JsonValue] => [k, i]));
    const text = canonicalize({ ...learnt, eventId: 'e', seq: 1 });
    expect(scan(text)).toEqual(JSON.parse(text));
    // Keys a pattern would confuse with the learnt ones, if they were not spelled out.
    const lookalikes = ['aXb', 'x', '', '^', 'aaa', 'Dxsa', '😁', 'a', 'a', 'k\u007e'];
    for (const [i, lookalike] of lookalikes.entries()) {
      const changed = { ...learnt, eventId: 'e', seq: 1 } as Record<string, JsonValue>;
      delete changed[keys[i]!];
      changed[lookalike] = i;
      expectSound(canonicalize(changed), scan);
    }
  });

  it('reads a record with a "__proto__" member as the reference does, however often it comes', () => {
    const scan = createLeafScanner();
    for (const value of ['', 'x', null, 1]) {
      const text = `{"__proto__":${JSON.stringify(value)},"eventId":"e","seq":0}`;
      for (let round = 0; round < 3; round++) {
        expectSound(text, scan);
        expect(Object.hasOwn(scan(text)!, '__proto__')).toBe(true);
      }
    }
  });

  it('keeps the sixteen latest shapes: a record of a forgotten shape is learnt again, never misread', () => {
    const scan = createLeafScanner();
    for (let k = 0; k < 40; k++) {
      const text = canonicalize({ eventId: 'e', [`f${k}`]: k, seq: k });
      expect(scan(text)).toEqual(JSON.parse(text));
      const again = canonicalize({ eventId: 'e2', [`f${k}`]: k + 1, seq: k + 1 });
      expect(scan(again)).toEqual(JSON.parse(again));
    }
    const old = canonicalize({ eventId: 'e', f0: 5, seq: 5 });
    expect(scan(old)).toEqual(JSON.parse(old));
  });
});
