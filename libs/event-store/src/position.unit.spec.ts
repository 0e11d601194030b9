import fc from 'fast-check';
import { InvalidArgumentError } from './errors';
import { END, START, comparePositions, decodeSqlPosition, encodeSqlPosition } from './position';

describe('log positions (PostgreSQL/PGlite encoding)', () => {
  const u64 = fc.bigInt({ min: 0n, max: 2n ** 63n - 1n });

  it('orders positions exactly as (transaction id, global position) pairs', () => {
    fc.assert(
      fc.property(u64, u64, u64, u64, (txA, posA, txB, posB) => {
        const expected = txA === txB ? Math.sign(Number(posA - posB)) : txA < txB ? -1 : 1;
        expect(Math.sign(comparePositions(encodeSqlPosition(txA, posA), encodeSqlPosition(txB, posB)))).toBe(expected);
      }),
    );
  });

  it('round-trips through decode', () => {
    fc.assert(
      fc.property(u64, u64, (tx, pos) => {
        expect(decodeSqlPosition(encodeSqlPosition(tx, pos))).toEqual({
          txId: tx.toString(),
          globalPosition: pos.toString(),
        });
      }),
    );
  });

  it('puts START before and END after every position', () => {
    fc.assert(
      fc.property(u64, u64, (tx, pos) => {
        const p = encodeSqlPosition(tx, pos);
        expect(comparePositions(START, p)).toBeLessThan(0);
        expect(comparePositions(p, START)).toBeGreaterThan(0);
        expect(comparePositions(END, p)).toBeGreaterThan(0);
        expect(comparePositions(p, END)).toBeLessThan(0);
      }),
    );
    expect(comparePositions(START, END)).toBeLessThan(0);
    expect(decodeSqlPosition(START)).toEqual({ txId: '0', globalPosition: '0' });
  });

  it.each(['', 'END', '12:34', '00000000000000000001-00000000000000000001', 'x'.repeat(41)])(
    'rejects %j as a position with INVALID_POSITION',
    (bad) => {
      expect(() => decodeSqlPosition(bad)).toThrow(InvalidArgumentError);
      try {
        decodeSqlPosition(bad);
      } catch (error) {
        expect((error as InvalidArgumentError).code).toBe('INVALID_POSITION');
      }
    },
  );
});
