/// <reference types="node" />
/// <reference types="jest" />
/**
 * The browser's Merkle verification against the golden probes of github.com/transparency-dev/merkle (Apache-2.0,
 * commit 417fb0c), vendored in libs/audit/testdata: it must accept exactly the probes without wantErr, like the
 * server's verifier (libs/audit/src/golden.unit.spec.ts). Node 20 has globalThis.crypto.subtle, as browsers do.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkBundle, fromBase64, leafHash, nodeHash, toBase64, verifyInclusion, type ProofBundle } from './merkle';

const ROOT = join(__dirname, '../../../../libs/audit/testdata/transparency-dev-merkle/testdata/inclusion');

interface InclusionProbe {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
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

const probes: [string, InclusionProbe][] = jsonFiles(ROOT).map((file) => [
  relative(ROOT, file),
  JSON.parse(readFileSync(file, 'utf8')) as InclusionProbe,
]);

const b64 = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'base64'));
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('browser Merkle verification: transparency-dev/merkle inclusion probes', () => {
  it('has all 98 probes, 6 of them valid', () => {
    expect(probes).toHaveLength(98);
    expect(probes.filter(([, p]) => p.wantErr !== true)).toHaveLength(6);
  });

  it.each(probes)('%s', async (_, p) => {
    const ok = await verifyInclusion(p.leafIdx, p.treeSize, b64(p.leafHash), (p.proof ?? []).map(b64), b64(p.root));
    expect(ok).toBe(p.wantErr !== true);
  });
});

describe('browser Merkle hashing (RFC 6962)', () => {
  // transparency-dev/merkle testonly/constants.go: the 8 reference leaves and the root of all of them.
  const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];

  it('reproduces the reference root of 8 leaves', async () => {
    let level = await Promise.all(LEAVES.map((h) => leafHash(Uint8Array.from(Buffer.from(h, 'hex')))));
    while (level.length > 1) {
      const next: Uint8Array[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(await nodeHash(level[i]!, level[i + 1]!));
      level = next;
    }
    expect(hex(level[0]!)).toBe('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
  });

  it('round-trips base64 and refuses what is not base64', () => {
    const bytes = Uint8Array.of(0, 1, 2, 250, 255);
    expect(fromBase64(toBase64(bytes))).toEqual(bytes);
    expect(fromBase64('not base64!')).toBeUndefined();
  });
});

describe('checkBundle', () => {
  /** A two-leaf log and the bundle of its second leaf, as the server builds it. */
  async function bundle(): Promise<ProofBundle> {
    const records = ['{"seq":0}', '{"seq":1}'];
    const [first, second] = await Promise.all(records.map((r) => leafHash(new TextEncoder().encode(r))));
    const root = toBase64(await nodeHash(first!, second!));
    return {
      eventId: '00000000-0000-4000-8000-000000000001',
      index: 1,
      record: records[1]!,
      leafHash: toBase64(second!),
      checkpoint: { note: `example.org/log\n2\n${root}\n\n— example.org/log AAAA\n`, size: 2, rootHash: root },
      inclusionProof: [toBase64(first!)],
    };
  }

  it('verifies a genuine bundle', async () => {
    expect(await checkBundle(await bundle())).toEqual({ status: 'verified', index: 1, size: 2 });
  });

  it('fails a changed record, a changed proof, and a root other than the signed one', async () => {
    const genuine = await bundle();
    expect(await checkBundle({ ...genuine, record: '{"seq":2}' })).toMatchObject({ status: 'failed', reason: 'leaf' });
    const proof = [toBase64(new Uint8Array(32))];
    expect(await checkBundle({ ...genuine, inclusionProof: proof })).toMatchObject({ reason: 'proof' });
    const other = { ...genuine.checkpoint!, rootHash: toBase64(new Uint8Array(32)) };
    expect(await checkBundle({ ...genuine, checkpoint: other })).toMatchObject({ status: 'failed' });
    const trusted = { size: 2, rootHash: toBase64(new Uint8Array(32)) };
    expect(await checkBundle(genuine, trusted)).toMatchObject({ status: 'failed', reason: 'root' });
  });

  it('says pending when no checkpoint covers the leaf yet', async () => {
    const pending = { ...(await bundle()), checkpoint: null, inclusionProof: null };
    expect(await checkBundle(pending)).toEqual({ status: 'pending', index: 1 });
  });
});
