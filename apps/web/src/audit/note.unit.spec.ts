/// <reference types="jest" />
/**
 * The browser's signed-note check against the example of the C2SP signed-note specification (c2sp.org/signed-note,
 * retyped in libs/audit/src/note.unit.spec.ts): the key verifies the note, and a changed text or key does not.
 */
import { checkNoteSignature } from './note';

const SPEC_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const SPEC_TEXT = 'This is an example message.\n';
const SPEC_NOTE = `${SPEC_TEXT}\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n`;

describe('checkNoteSignature', () => {
  it('verifies the specification example', async () => {
    expect(await checkNoteSignature(SPEC_NOTE, SPEC_VKEY)).toBe('valid');
  });

  it('refuses a changed text, another key id, and a malformed key', async () => {
    expect(await checkNoteSignature(SPEC_NOTE.replace('example message', 'exemplary message'), SPEC_VKEY)).toBe(
      'invalid',
    );
    expect(await checkNoteSignature(SPEC_NOTE, SPEC_VKEY.replace('530d903a', '530d903b'))).toBe('invalid');
    expect(await checkNoteSignature(SPEC_NOTE, 'example.com/foo+530d903a+AAAA')).toBe('invalid');
  });
});
