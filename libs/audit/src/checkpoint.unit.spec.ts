/**
 * C2SP checkpoints. The example checkpoint text is from c2sp.org/tlog-checkpoint (and tlog-cosignature).
 */
import { type Checkpoint, formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from './checkpoint';
import { generateKeyPair, parseSignerKey, parseVerifierKey } from './keys';
import { rootFromLeafHashes, leafHash } from './merkle';
import { NoteError, parseNote } from './note';

const SPEC_BODY = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const SPEC_NOTE =
  `${SPEC_BODY}\n` +
  '\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n' +
  '\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n';

describe('checkpoint text', () => {
  it('parses the spec example and formats it back byte for byte', () => {
    const cp = parseCheckpoint(SPEC_BODY);
    expect(cp.origin).toBe('example.com/behind-the-sofa');
    expect(cp.size).toBe(20852163);
    expect(cp.rootHash.toString('base64')).toBe('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
    expect(cp.extensions).toEqual([]);
    expect(formatCheckpoint(cp)).toBe(SPEC_BODY);
  });

  it('the spec example note splits into that body and two signatures (a log and a witness)', () => {
    const note = parseNote(SPEC_NOTE);
    expect(note.text).toBe(SPEC_BODY);
    expect(note.signatures.map((s) => [s.name, s.signature.length])).toEqual([
      ['example.com/behind-the-sofa', 64],
      ['witness.example.com/w1', 72], // u64 timestamp + Ed25519 signature
    ]);
  });

  it('keeps extension lines and the empty tree', () => {
    const cp: Checkpoint = { origin: 'o', size: 0, rootHash: rootFromLeafHashes([]), extensions: ['ext one', 'two'] };
    const text = formatCheckpoint(cp);
    expect(text).toBe('o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\ntwo\n');
    expect(parseCheckpoint(text)).toEqual(cp);
  });

  const root = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';
  it.each([
    ['no final newline', `o\n1\n${root}`],
    ['empty origin', `\n1\n${root}\n`],
    ['missing root', 'o\n1\n'],
    ['missing size and root', 'o\n'],
    ['leading zero', `o\n01\n${root}\n`],
    ['negative size', `o\n-1\n${root}\n`],
    ['hex size', `o\n0x10\n${root}\n`],
    ['size with space', `o\n 1\n${root}\n`],
    ['size with plus', `o\n+1\n${root}\n`],
    ['size with exponent', `o\n1e3\n${root}\n`],
    ['size beyond 2^53 - 1', `o\n9007199254740992\n${root}\n`],
    ['root of 31 bytes', `o\n1\n${Buffer.alloc(31).toString('base64')}\n`],
    ['root of 33 bytes', `o\n1\n${Buffer.alloc(33).toString('base64')}\n`],
    ['root in hex', `o\n1\n${Buffer.alloc(32).toString('hex')}\n`],
    ['unpadded root', `o\n1\n${root.slice(0, -1)}\n`],
    ['empty extension line', `o\n1\n${root}\n\next\n`],
    ['trailing empty line', `o\n1\n${root}\n\n`],
    ['carriage return', `o\r\n1\n${root}\n`],
  ])('rejects %s', (_, text) => {
    expect(() => parseCheckpoint(text)).toThrow(NoteError);
  });

  it('refuses to format what it would not parse', () => {
    const rootHash = Buffer.alloc(32);
    expect(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash, extensions: [] })).toThrow(NoteError);
    expect(() => formatCheckpoint({ origin: 'o', size: -1, rootHash, extensions: [] })).toThrow(NoteError);
    expect(() => formatCheckpoint({ origin: 'o', size: 1.5, rootHash, extensions: [] })).toThrow(NoteError);
    expect(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: Buffer.alloc(20), extensions: [] })).toThrow(
      NoteError,
    );
    expect(() => formatCheckpoint({ origin: 'o', size: 1, rootHash, extensions: [''] })).toThrow(NoteError);
  });
});

describe('signed checkpoints', () => {
  const origin = 'audit.example/log/v1';
  const log = generateKeyPair(origin);
  const [signer, verifier] = [parseSignerKey(log.signerKey), parseVerifierKey(log.verifierKey)];
  const leaves = ['a', 'b', 'c'].map((s) => leafHash(Buffer.from(s)));
  const cp: Checkpoint = { origin, size: 3, rootHash: rootFromLeafHashes(leaves), extensions: [] };

  it('signs and opens', () => {
    const note = signCheckpoint(cp, [signer]);
    const opened = openCheckpoint(note, [verifier], origin);
    expect(opened.checkpoint).toEqual(cp);
    expect(opened.verified.map((s) => s.name)).toEqual([origin]);
  });

  it('rejects a checkpoint for another origin even when the signature is good', () => {
    const note = signCheckpoint(cp, [signer]);
    expect(() => openCheckpoint(note, [verifier], 'audit.example/other')).toThrow(/origin/);
  });

  it('rejects a signed note whose text is not a checkpoint', () => {
    const note = signCheckpoint(cp, [signer]).replace(/^(.*\n)3\n/, '$103\n');
    expect(() => openCheckpoint(note, [verifier])).toThrow(NoteError);
  });

  it('rejects a tampered size or root', () => {
    const note = signCheckpoint(cp, [signer]);
    expect(() => openCheckpoint(note.replace('\n3\n', '\n4\n'), [verifier])).toThrow(/invalid signature/);
    const otherRoot = rootFromLeafHashes(leaves.slice(0, 2)).toString('base64');
    expect(() => openCheckpoint(note.replace(cp.rootHash.toString('base64'), otherRoot), [verifier])).toThrow(
      /invalid signature/,
    );
  });
});
