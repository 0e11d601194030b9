/** End to end through the public entry point, as an integrator and an offline auditor would use it. */
import {
  CompactRange,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  canonicalizeToBytes,
  consistencyProof,
  generateKeyPair,
  inclusionProof,
  leafHash,
  openCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  signCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from '@muskel/audit';

describe('@muskel/audit', () => {
  it('log -> checkpoint -> cosign -> auditor verifies inclusion and consistency', () => {
    const origin = 'audit.example/log/v1';
    const log = generateKeyPair(origin);
    const witness = generateKeyPair('witness.example/w1', SIGNATURE_TYPE_COSIGNATURE_V1);
    const signers = [parseSignerKey(log.signerKey), parseSignerKey(witness.signerKey, () => 1_700_000_000)];
    const verifiers = [parseVerifierKey(log.verifierKey), parseVerifierKey(witness.verifierKey)];

    const records = Array.from({ length: 21 }, (_, seq) => ({ v: 1, seq, eventType: 'MemberIncomeUpdated' }));
    const leaves = records.map((r) => leafHash(canonicalizeToBytes(r)));
    const tree = CompactRange.empty();
    leaves.slice(0, 13).forEach((l) => tree.append(l));
    const old = { origin, size: tree.size, rootHash: tree.root(), extensions: [] };
    leaves.slice(13).forEach((l) => tree.append(l));
    const latest = signCheckpoint({ origin, size: tree.size, rootHash: tree.root(), extensions: [] }, signers);

    const { checkpoint, verified } = openCheckpoint(latest, verifiers, origin);
    expect(verified).toHaveLength(2);
    expect(
      verifyInclusion(7, checkpoint.size, leaves[7] as Buffer, inclusionProof(7, leaves), checkpoint.rootHash),
    ).toBe(true);
    const proof = consistencyProof(old.size, leaves);
    expect(verifyConsistency(old.size, checkpoint.size, old.rootHash, checkpoint.rootHash, proof)).toBe(true);
  });
});
