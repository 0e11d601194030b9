/**
 * The blind index computes HMAC-SHA256 by its definition (RFC 2104) for speed: it must give exactly what
 * createHmac gives, for every key and every message, short or long, ASCII or not.
 */
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { BlindIndex, normaliseIdentityNumber } from './blind-index';

/** A BlindIndex on `key`, loaded as from the key table. */
async function indexOn(key: Buffer): Promise<BlindIndex> {
  const db = {
    query: <R>() => Promise.resolve([{ secret: key.toString('base64') }] as R[]),
  };
  return BlindIndex.load(db);
}

const reference = (key: Buffer, message: string): string => createHmac('sha256', key).update(message).digest('hex');

describe('BlindIndex', () => {
  it('gives HMAC-SHA256 of "nik:" and "kk:" and the digits, as createHmac does (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 80 }),
        fc.oneof(fc.stringMatching(/^[0-9 .-]{0,20}$/), fc.string({ maxLength: 70 }), fc.string({ unit: 'binary' })),
        async (keyBytes, value) => {
          const key = Buffer.from(keyBytes);
          const index = await indexOn(key);
          const digits = normaliseIdentityNumber(value);
          expect(index.nik(value)).toBe(reference(key, `nik:${digits}`));
          expect(index.kk(value)).toBe(reference(key, `kk:${digits}`));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('gives the same value on every call (its buffers are reused) and tells NIK from KK', async () => {
    const key = randomBytes(32);
    const index = await indexOn(key);
    const values = ['3201012345670001', '3201012345670002', '32.01.01.2345670001', 'x'.repeat(100), 'ñ'.repeat(40)];
    const first = values.map((v) => index.nik(v));
    for (let round = 0; round < 3; round++) expect(values.map((v) => index.nik(v))).toEqual(first);
    expect(first[0]).toBe(first[2]);
    expect(index.kk(values[0]!)).not.toBe(first[0]);
    expect(first[3]).toBe(reference(key, `nik:${'x'.repeat(100)}`));
  });
});
