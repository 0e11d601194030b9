/**
 * C2SP signed notes. Vectors:
 * - c2sp.org/signed-note, Example section: the example.com/foo verifier key and its signature line.
 * - golang.org/x/mod/sumdb/note note_test.go (BSD-3-Clause, The Go Authors): PeterNeumann and EnochRoot keys,
 *   signatures and the PeterNeumann signer key.
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  ed25519Signer,
  ed25519Verifier,
  formatVerifierKey,
  generateKeyPair,
  parseSignerKey,
  parseVerifierKey,
} from './keys';
import { rawPublicKey } from './ed25519';
import { MAX_NOTE_SIGNATURES, NoteError, openNote, parseNote, signNote } from './note';

const SPEC_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const SPEC_TEXT = 'This is an example message.\n';
const SPEC_NOTE = `${SPEC_TEXT}\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n`;

const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const PETER_SIG =
  '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
const GO_NOTE = `${GO_TEXT}\n${PETER_SIG}${ENOCH_SIG}`;

describe('published vectors', () => {
  it('the C2SP spec example verifies', () => {
    const opened = openNote(SPEC_NOTE, [parseVerifierKey(SPEC_VKEY)]);
    expect(opened.text).toBe(SPEC_TEXT);
    expect(opened.verified.map((s) => s.name)).toEqual(['example.com/foo']);
    expect(opened.verified[0]?.keyId).toBe(0x530d903a);
  });

  it('verifier keys round-trip through the key hash computation', () => {
    for (const vkey of [SPEC_VKEY, PETER_VKEY, ENOCH_VKEY]) {
      const v = parseVerifierKey(vkey);
      const publicKey = Buffer.from(vkey.split('+')[2] as string, 'base64').subarray(1);
      expect(formatVerifierKey(v.name, 0x01, publicKey)).toBe(vkey);
    }
  });

  it('the Go note with two signatures verifies with either or both keys', () => {
    const [peter, enoch] = [parseVerifierKey(PETER_VKEY), parseVerifierKey(ENOCH_VKEY)];
    expect(openNote(GO_NOTE, [peter, enoch]).verified).toHaveLength(2);
    const onlyPeter = openNote(GO_NOTE, [peter]);
    expect(onlyPeter.verified.map((s) => s.name)).toEqual(['PeterNeumann']);
    expect(onlyPeter.unknown.map((s) => s.name)).toEqual(['EnochRoot']);
  });

  it('the Go signer key reproduces the published (deterministic Ed25519) signature', () => {
    const signer = parseSignerKey(PETER_SKEY);
    expect(signer.keyId).toBe(0xc74f20a3);
    expect(signNote(GO_TEXT, [signer])).toBe(`${GO_TEXT}\n${PETER_SIG}`);
  });
});

describe('sign and open', () => {
  const alice = generateKeyPair('example.org/alice');
  const bob = generateKeyPair('example.org/bob');
  const [aliceSigner, aliceVerifier] = [parseSignerKey(alice.signerKey), parseVerifierKey(alice.verifierKey)];
  const [bobSigner, bobVerifier] = [parseSignerKey(bob.signerKey), parseVerifierKey(bob.verifierKey)];
  const text = 'line one\n\nline three, after an empty line\n';

  it('round-trips and keeps empty lines inside the text', () => {
    const note = signNote(text, [aliceSigner, bobSigner]);
    const opened = openNote(note, [aliceVerifier, bobVerifier]);
    expect(opened.text).toBe(text);
    expect(opened.verified.map((s) => s.name)).toEqual(['example.org/alice', 'example.org/bob']);
    expect(openNote(Buffer.from(note, 'utf8'), [bobVerifier]).unknown).toHaveLength(1);
  });

  it('rejects a one-byte change to the text', () => {
    const note = signNote(text, [aliceSigner]);
    expect(() => openNote(note.replace('one', 'onE'), [aliceVerifier])).toThrow(NoteError);
  });

  it('rejects a signature moved to another note', () => {
    const sigLine = signNote(text, [aliceSigner]).slice(text.length + 1);
    expect(() => openNote(`other text\n\n${sigLine}`, [aliceVerifier])).toThrow(NoteError);
  });

  it('rejects a note with only unknown signers', () => {
    expect(() => openNote(signNote(text, [bobSigner]), [aliceVerifier])).toThrow(/no verified signature/);
  });

  it('rejects a bad signature by a known key even if another known signature is valid', () => {
    const good = signNote(text, [aliceSigner]);
    const forged = signNote('something else\n', [bobSigner]).split('\n\n')[1] as string;
    expect(() => openNote(good + forged, [aliceVerifier, bobVerifier])).toThrow(/invalid signature/);
    expect(openNote(good + forged, [aliceVerifier]).unknown).toHaveLength(1);
  });

  it('ignores a signature whose name or key ID (but not both) matches a known key', () => {
    const impostor = ed25519Signer('example.org/alice', generateKeyPairSync('ed25519').privateKey);
    const note = signNote(text, [aliceSigner, impostor]);
    expect(openNote(note, [aliceVerifier]).unknown.map((s) => s.name)).toEqual(['example.org/alice']);
  });

  it('rejects ambiguous verifier sets', () => {
    const note = signNote(text, [aliceSigner]);
    expect(() => openNote(note, [aliceVerifier, aliceVerifier])).toThrow(/ambiguous/);
  });

  it('refuses to sign text without a final newline, with controls, or without signers', () => {
    expect(() => signNote('no newline', [aliceSigner])).toThrow(NoteError);
    expect(() => signNote('tab\there\n', [aliceSigner])).toThrow(NoteError);
    expect(() => signNote(text, [])).toThrow(NoteError);
  });

  it('accepts the maximum number of signatures and no more', () => {
    const line = signNote(text, [aliceSigner]).slice(text.length + 1);
    expect(openNote(`${text}\n${line.repeat(MAX_NOTE_SIGNATURES)}`, [aliceVerifier]).verified).toHaveLength(100);
    expect(() => parseNote(`${text}\n${line.repeat(MAX_NOTE_SIGNATURES + 1)}`)).toThrow(/too many/);
  });
});

describe('malformed notes', () => {
  const sig = SPEC_NOTE.slice(SPEC_TEXT.length + 1);
  const b64 = sig.split(' ')[2]?.trimEnd() as string;

  it.each([
    ['no blank line', `${SPEC_TEXT}${sig}`],
    ['no final newline', SPEC_NOTE.slice(0, -1)],
    ['no signature lines', `${SPEC_TEXT}\n`],
    ['empty signature line', `${SPEC_TEXT}\n${sig}\n`],
    ['hyphen instead of em dash', `${SPEC_TEXT}\n- example.com/foo ${b64}\n`],
    ['missing space after dash', `${SPEC_TEXT}\n\u2014example.com/foo ${b64}\n`],
    ['double space', `${SPEC_TEXT}\n\u2014 example.com/foo  ${b64}\n`],
    ['name with plus', `${SPEC_TEXT}\n\u2014 example.com/foo+x ${b64}\n`],
    ['name with no-break space', `${SPEC_TEXT}\n\u2014 example.com/\u00a0foo ${b64}\n`],
    ['empty name', `${SPEC_TEXT}\n\u2014  ${b64}\n`],
    ['unpadded base64', `${SPEC_TEXT}\n\u2014 example.com/foo ${b64.replace(/=+$/, '')}\n`],
    ['base64 with junk', `${SPEC_TEXT}\n\u2014 example.com/foo ${b64}!\n`],
    ['signature of 4 bytes', `${SPEC_TEXT}\n\u2014 example.com/foo AAAAAA==\n`],
    ['carriage return', SPEC_NOTE.replace('message.\n', 'message.\r\n')],
    ['NUL in text', SPEC_NOTE.replace('This', 'Th\u0000is')],
    ['lone surrogate', SPEC_NOTE.replace('This', '\ud800This')],
    ['trailing text after signatures', `${SPEC_NOTE}junk\n`],
  ])('%s', (_, note) => {
    expect(() => openNote(note, [parseVerifierKey(SPEC_VKEY)])).toThrow(NoteError);
  });

  it('invalid UTF-8 bytes', () => {
    const bytes = Buffer.concat([Buffer.from([0xc3, 0x28]), Buffer.from(SPEC_NOTE)]);
    expect(() => parseNote(bytes)).toThrow(/UTF-8/);
  });

  it('a name with regex metacharacters is just a name', () => {
    const signer = ed25519Signer('a.*(b|c)[d]', generateKeyPairSync('ed25519').privateKey);
    const note = signNote('x\n', [signer]);
    expect(parseNote(note).signatures[0]?.name).toBe('a.*(b|c)[d]');
  });
});

/** The same key material under another signature type byte. */
function retype(encoded: string, type: number): string {
  const bytes = Buffer.from(encoded, 'base64');
  bytes[0] = type;
  return bytes.toString('base64');
}

describe('key strings', () => {
  it('generated keys pair up and carry the right key ID', () => {
    const { signerKey, verifierKey } = generateKeyPair('example.net/log');
    const [signer, verifier] = [parseSignerKey(signerKey), parseVerifierKey(verifierKey)];
    expect(signer.keyId).toBe(verifier.keyId);
    expect(signerKey.startsWith('PRIVATE+KEY+example.net/log+')).toBe(true);
  });

  it('an Ed25519 verifier built from a raw key matches its key string', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = rawPublicKey(publicKey);
    expect(parseVerifierKey(formatVerifierKey('n', 0x01, raw)).keyId).toBe(ed25519Verifier('n', raw).keyId);
    expect(ed25519Signer('n', privateKey).keyId).toBe(ed25519Verifier('n', raw).keyId);
  });

  it.each([
    ['wrong key ID', SPEC_VKEY.replace('530d903a', '530d903b')],
    ['upper-case key ID', SPEC_VKEY.replace('530d903a', '530D903A')],
    ['short key ID', SPEC_VKEY.replace('530d903a', '530d903')],
    ['unknown type 0x02', `example.com/foo+530d903a+${retype('AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k', 0x02)}`],
    ['extra field', `${SPEC_VKEY}+x`],
    ['missing key', 'example.com/foo+530d903a'],
    ['truncated key', SPEC_VKEY.slice(0, -4)],
    ['empty name', '+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k'],
  ])('rejects a verifier key with %s', (_, vkey) => {
    expect(() => parseVerifierKey(vkey)).toThrow(NoteError);
  });

  it('rejects signer keys without the prefix or with a mismatched key ID', () => {
    expect(() => parseSignerKey(PETER_SKEY.replace('PRIVATE+KEY+', ''))).toThrow(NoteError);
    expect(() => parseSignerKey(PETER_SKEY.replace('c74f20a3', 'c74f20a4'))).toThrow(/key ID/);
  });

  it('rejects invalid key names when formatting', () => {
    expect(() => generateKeyPair('has space')).toThrow(NoteError);
    expect(() => generateKeyPair('has+plus')).toThrow(NoteError);
    expect(() => generateKeyPair('')).toThrow(NoteError);
  });
});
