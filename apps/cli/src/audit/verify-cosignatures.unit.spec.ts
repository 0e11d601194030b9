/**
 * Witness cosignatures (cosignature/v1, key type 0x04) count toward the policy quorum of the offline verifier, each
 * witness once, and only when its cosignature verifies.
 */
import {
  SIGNATURE_TYPE_COSIGNATURE_V1,
  generateKeyPair,
  parseSignerKey,
  rootFromLeafHashes,
  leafHash,
  signCheckpoint,
} from '@muskel/audit';
import { type AuditPolicy, verifyCheckpointAgainstPolicy } from './verify';

const ORIGIN = 'audit.test/cosigned/v1';
const log = generateKeyPair(ORIGIN);
const witnesses = ['w1.test', 'w2.test', 'w3.test'].map((name) => generateKeyPair(name, SIGNATURE_TYPE_COSIGNATURE_V1));
const checkpoint = {
  origin: ORIGIN,
  size: 3,
  rootHash: rootFromLeafHashes(['a', 'b', 'c'].map((x) => leafHash(Buffer.from(x)))),
  extensions: [],
};
const policy: AuditPolicy = {
  origin: ORIGIN,
  verifierKeys: [log.verifierKey, ...witnesses.map((w) => w.verifierKey)],
  quorum: 3, // the log and two of the three witnesses
};
const signedBy = (...keys: { signerKey: string }[]) =>
  signCheckpoint(
    checkpoint,
    [log, ...keys].map((k) => parseSignerKey(k.signerKey, () => 1_790_000_000)),
  );

describe('witness cosignatures in the offline verifier', () => {
  it('passes a quorum of 3 with the log and 2 of 3 witnesses', () => {
    const result = verifyCheckpointAgainstPolicy(signedBy(witnesses[0]!, witnesses[2]!), policy);
    expect(result.ok && result.checkpoint.signers).toEqual([ORIGIN, 'w1.test', 'w3.test']);
  });

  it('fails QUORUM_NOT_MET with the log and only 1 witness', () => {
    const result = verifyCheckpointAgainstPolicy(signedBy(witnesses[1]!), policy);
    expect(result.ok ? undefined : result.failure.code).toBe('QUORUM_NOT_MET');
  });

  it('counts a witness once, however many times its line appears', () => {
    const note = signedBy(witnesses[1]!);
    const line = note.slice(note.lastIndexOf('\u2014'));
    const result = verifyCheckpointAgainstPolicy(note + line, policy);
    expect(result.ok ? undefined : result.failure.code).toBe('QUORUM_NOT_MET');
  });

  it('rejects an altered cosignature of a policy witness (BAD_SIGNATURE)', () => {
    const note = signedBy(witnesses[0]!, witnesses[1]!);
    const line = note.slice(note.lastIndexOf('\u2014'));
    const bytes = Buffer.from(line.split(' ')[2]!.trim(), 'base64');
    bytes[8] = bytes[8]! ^ 1; // inside the timestamp: the signed message changes
    const result = verifyCheckpointAgainstPolicy(
      note.replace(line, `\u2014 w2.test ${bytes.toString('base64')}\n`),
      policy,
    );
    expect(result.ok ? undefined : result.failure.code).toBe('BAD_SIGNATURE');
  });
});
