/**
 * Golden proof probes from github.com/transparency-dev/merkle (Apache-2.0) at commit 417fb0c, testdata/inclusion
 * and testdata/consistency, vendored under libs/audit/testdata/transparency-dev-merkle (from the shared test vectors) (see its LICENSE).
 * The verifier must accept exactly the probes with wantErr false.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { leafHash, consistencyProof, inclusionProof, verifyConsistency, verifyInclusion } from './merkle';

const ROOT = join(__dirname, '../testdata/transparency-dev-merkle/testdata');

interface InclusionProbe {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr?: boolean;
}

interface ConsistencyProbe {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr?: boolean;
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? jsonFiles(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : [],
    )
    .sort();
}

function load<T>(kind: string): [string, T][] {
  const dir = join(ROOT, kind);
  return jsonFiles(dir).map((file) => [relative(dir, file), JSON.parse(readFileSync(file, 'utf8')) as T]);
}

const b64 = (s: string): Buffer => Buffer.from(s, 'base64');

const inclusion = load<InclusionProbe>('inclusion');
const consistency = load<ConsistencyProbe>('consistency');

// The 8 reference leaves of transparency-dev/merkle testonly/constants.go, which the happy paths use.
const REFERENCE_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => leafHash(Buffer.from(h, 'hex')));

describe('transparency-dev/merkle inclusion probes', () => {
  it('has all 98 probes, 6 of them valid', () => {
    expect(inclusion).toHaveLength(98);
    expect(inclusion.filter(([, p]) => p.wantErr !== true)).toHaveLength(6);
  });

  it.each(inclusion)('%s', (_, p) => {
    const ok = verifyInclusion(p.leafIdx, p.treeSize, b64(p.leafHash), (p.proof ?? []).map(b64), b64(p.root));
    expect(ok).toBe(p.wantErr !== true);
  });

  it.each(inclusion.filter(([name]) => name.endsWith('happy-path.json') && !name.startsWith('single')))(
    'generator reproduces %s',
    (_, p) => {
      const proof = inclusionProof(p.leafIdx, REFERENCE_LEAVES.slice(0, p.treeSize));
      expect(proof.map((h) => h.toString('base64'))).toEqual(p.proof ?? []);
    },
  );
});

describe('transparency-dev/merkle consistency probes', () => {
  it('has all 98 probes, 6 of them valid', () => {
    expect(consistency).toHaveLength(98);
    expect(consistency.filter(([, p]) => p.wantErr !== true)).toHaveLength(6);
  });

  it.each(consistency)('%s', (_, p) => {
    const ok = verifyConsistency(p.size1, p.size2, b64(p.root1), b64(p.root2), (p.proof ?? []).map(b64));
    expect(ok).toBe(p.wantErr !== true);
  });

  it.each(consistency.filter(([name]) => /^\d\/happy-path\.json$/.test(name)))('generator reproduces %s', (_, p) => {
    const proof = consistencyProof(p.size1, REFERENCE_LEAVES.slice(0, p.size2));
    expect(proof.map((h) => h.toString('base64'))).toEqual(p.proof ?? []);
  });
});
