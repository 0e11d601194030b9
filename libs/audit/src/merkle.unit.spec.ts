/**
 * RFC 6962 / RFC 9162 hashing, roots and proof generation against published constants.
 * Sources (retyped): transparency-dev/merkle rfc6962/rfc6962_test.go (hasher vectors) and
 * testonly/constants.go (the 8 reference leaves and the roots of sizes 0..8), Apache-2.0.
 */
import {
  EMPTY_ROOT,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootFromInclusionProof,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

const hex = (h: string): Buffer => Buffer.from(h, 'hex');

const LEAF_INPUTS = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(hex);

const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

const LEAVES = LEAF_INPUTS.map(leafHash);

function makeLeaves(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
}

describe('RFC 6962 hashing', () => {
  it('matches the transparency-dev hasher vectors', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(leafHash(Buffer.alloc(0)).toString('hex')).toBe(
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    );
    expect(leafHash(Buffer.from('L123456')).toString('hex')).toBe(
      '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56',
    );
    expect(nodeHash(Buffer.from('N123'), Buffer.from('N456')).toString('hex')).toBe(
      'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
    );
  });

  it('separates leaf and node domains and is order-sensitive', () => {
    const [a, b] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    expect(leafHash(Buffer.concat([a, b]))).not.toEqual(nodeHash(a, b));
    expect(nodeHash(a, b)).not.toEqual(nodeHash(b, a));
  });

  it.each(ROOTS.map((root, size) => [size, root]))('root of the first %i reference leaves', (size, root) => {
    expect(rootFromLeafHashes(LEAVES.slice(0, size)).toString('hex')).toBe(root);
  });
});

describe('proof generation round trip (every index and size pair up to 64)', () => {
  const leaves = makeLeaves(64);
  const roots = Array.from({ length: 65 }, (_, n) => rootFromLeafHashes(leaves.slice(0, n)));

  it('inclusion proofs verify for every (index, size)', () => {
    for (let n = 1; n <= 64; n++) {
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(i, leaves.slice(0, n));
        expect(verifyInclusion(i, n, leaves[i] as Buffer, proof, roots[n] as Buffer)).toBe(true);
        expect(verifyInclusion(i, n, leaves[(i + 1) % n] as Buffer, proof, roots[n] as Buffer)).toBe(n === 1);
      }
    }
  });

  it('consistency proofs verify for every (size1, size2)', () => {
    for (let n = 1; n <= 64; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(m, leaves.slice(0, n));
        expect(verifyConsistency(m, n, roots[m] as Buffer, roots[n] as Buffer, proof)).toBe(true);
        if (m < n) expect(verifyConsistency(m, n, roots[m] as Buffer, roots[n - 1] as Buffer, proof)).toBe(false);
      }
    }
  });

  it('a single-leaf tree has an empty path and its leaf as root', () => {
    expect(inclusionProof(0, LEAVES.slice(0, 1))).toEqual([]);
    expect(rootFromInclusionProof(0, 1, LEAVES[0] as Buffer, [])).toEqual(LEAVES[0]);
  });

  it('rejects out-of-range generation requests', () => {
    expect(() => inclusionProof(3, leaves.slice(0, 3))).toThrow(RangeError);
    expect(() => inclusionProof(-1, leaves.slice(0, 3))).toThrow(RangeError);
    expect(() => consistencyProof(4, leaves.slice(0, 3))).toThrow(RangeError);
    expect(consistencyProof(0, leaves.slice(0, 3))).toEqual([]);
  });
});

describe('verifier input hygiene', () => {
  const leaves = makeLeaves(5);
  const root = rootFromLeafHashes(leaves);
  const proof = inclusionProof(2, leaves);

  it.each([
    ['negative index', -1, 5],
    ['fractional index', 1.5, 5],
    ['index = size', 5, 5],
    ['unsafe size', 2, 2 ** 53],
    ['NaN size', 2, Number.NaN],
  ])('inclusion: %s is rejected without throwing', (_, index, size) => {
    expect(verifyInclusion(index, size, leaves[2] as Buffer, proof, root)).toBe(false);
  });

  it('inclusion: short proof elements are rejected', () => {
    const bad = [...proof];
    bad[0] = (bad[0] as Buffer).subarray(0, 31);
    expect(verifyInclusion(2, 5, leaves[2] as Buffer, bad, root)).toBe(false);
  });

  it('consistency: NaN, negative and unsafe sizes are rejected', () => {
    const p = consistencyProof(3, leaves);
    const r3 = rootFromLeafHashes(leaves.slice(0, 3));
    expect(verifyConsistency(3, 5, r3, root, p)).toBe(true);
    expect(verifyConsistency(Number.NaN, 5, r3, root, p)).toBe(false);
    expect(verifyConsistency(-3, 5, r3, root, p)).toBe(false);
    expect(verifyConsistency(3, 2 ** 53, r3, root, p)).toBe(false);
  });
});
