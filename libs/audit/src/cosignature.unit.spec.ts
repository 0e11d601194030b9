/**
 * cosignature/v1 (c2sp.org/tlog-cosignature, Ed25519 signed message); the message example is from that spec.
 */
import { generateKeyPairSync } from 'node:crypto';
import { signCheckpoint, openCheckpoint } from './checkpoint';
import {
  SIGNATURE_TYPE_COSIGNATURE_V1,
  cosignatureMessage,
  cosignatureSigner,
  cosignatureTimestamp,
  cosignatureVerifier,
} from './cosignature';
import { rawPublicKey } from './ed25519';
import {
  ed25519Signer,
  ed25519Verifier,
  formatVerifierKey,
  generateKeyPair,
  parseSignerKey,
  parseVerifierKey,
} from './keys';
import { leafHash, rootFromLeafHashes } from './merkle';
import { NoteError, openNote, parseNote, signNote } from './note';

const BODY = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const TIME = 1679315147;

describe('cosignature/v1', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  const name = 'witness.example/w1';
  const signer = cosignatureSigner(name, privateKey, () => TIME);
  const verifier = cosignatureVerifier(name, raw);

  it('signs exactly the spec message', () => {
    expect(cosignatureMessage(TIME, BODY).toString('utf8')).toBe(`cosignature/v1\ntime 1679315147\n${BODY}`);
    const sig = signer.sign(Buffer.from(BODY));
    expect(sig).toHaveLength(72);
    expect(cosignatureTimestamp(sig)).toBe(TIME);
    expect(verifier.verify(Buffer.from(BODY), sig)).toBe(true);
  });

  it('uses key type 0x04, so its key ID differs from the same key as a plain Ed25519 signer', () => {
    expect(signer.keyId).toBe(verifier.keyId);
    expect(verifier.keyId).not.toBe(ed25519Verifier(name, raw).keyId);
    expect(parseVerifierKey(formatVerifierKey(name, SIGNATURE_TYPE_COSIGNATURE_V1, raw)).keyId).toBe(verifier.keyId);
  });

  it('rejects a changed timestamp, body or signature', () => {
    const sig = signer.sign(Buffer.from(BODY));
    const otherTime = Buffer.from(sig);
    otherTime.writeBigUInt64BE(BigInt(TIME + 1));
    expect(verifier.verify(Buffer.from(BODY), otherTime)).toBe(false);
    expect(verifier.verify(Buffer.from(BODY.replace('20852163', '20852164')), sig)).toBe(false);
    const flipped = Buffer.from(sig);
    flipped[71] = (flipped[71] as number) ^ 1;
    expect(verifier.verify(Buffer.from(BODY), flipped)).toBe(false);
    expect(verifier.verify(Buffer.from(BODY), sig.subarray(0, 71))).toBe(false);
  });

  it('a cosignature is not a plain Ed25519 signature over the note text (domain separation)', () => {
    const plain = ed25519Signer(name, privateKey).sign(Buffer.from(BODY));
    const stamped = Buffer.concat([Buffer.alloc(8), plain]);
    expect(verifier.verify(Buffer.from(BODY), stamped)).toBe(false);
  });

  it('refuses timestamps above 2^53 - 1 (the spec caps at 2^63 - 1 and allows refusing future times)', () => {
    const sig = Buffer.alloc(72);
    sig.writeBigUInt64BE(2n ** 63n - 1n);
    expect(cosignatureTimestamp(sig)).toBeUndefined();
    expect(verifier.verify(Buffer.from(BODY), sig)).toBe(false);
    expect(() => cosignatureMessage(-1, BODY)).toThrow(RangeError);
    expect(() => cosignatureMessage(1.5, BODY)).toThrow(RangeError);
    expect(() => cosignatureSigner(name, privateKey, () => Number.NaN).sign(Buffer.from(BODY))).toThrow(RangeError);
  });

  it('a checkpoint signed by the log and cosigned by two witnesses opens with any subset of keys', () => {
    const origin = 'audit.example/log/v1';
    const log = generateKeyPair(origin);
    const w1 = generateKeyPair('kpk.example/w1', SIGNATURE_TYPE_COSIGNATURE_V1);
    const w2 = generateKeyPair('bpk.example/w1', SIGNATURE_TYPE_COSIGNATURE_V1);
    const clock = () => TIME;
    const signers = [
      parseSignerKey(log.signerKey),
      parseSignerKey(w1.signerKey, clock),
      parseSignerKey(w2.signerKey, clock),
    ];
    const rootHash = rootFromLeafHashes([leafHash(Buffer.from('x'))]);
    const note = signCheckpoint({ origin, size: 1, rootHash, extensions: [] }, signers);
    const all = [log, w1, w2].map((k) => parseVerifierKey(k.verifierKey));
    const opened = openCheckpoint(note, all, origin);
    expect(opened.verified.map((s) => s.name)).toEqual([origin, 'kpk.example/w1', 'bpk.example/w1']);
    expect(opened.verified.slice(1).map((s) => cosignatureTimestamp(s.signature))).toEqual([TIME, TIME]);
    expect(openCheckpoint(note, all.slice(1, 2)).unknown).toHaveLength(2);
  });

  it('a witness line grafted onto a different checkpoint fails', () => {
    const w = generateKeyPair('w.example/w', SIGNATURE_TYPE_COSIGNATURE_V1);
    const line = signNote(BODY, [parseSignerKey(w.signerKey, () => TIME)]).slice(BODY.length + 1);
    const other = BODY.replace('20852163', '20852164');
    expect(() => parseNote(`${other}\n${line}`)).not.toThrow();
    expect(() => openNote(`${other}\n${line}`, [parseVerifierKey(w.verifierKey)])).toThrow(NoteError);
  });
});
