/** AUDIT_WITNESSES and AUDIT_WITNESS_QUORUM: defaults, accepted values and every rejection. */
import { ConfigValidationError, validateConfig } from './index';

const W1 = { name: 'w1.example', url: 'https://w1.example/witness', verifierKey: 'w1.example+0a1b2c3d+BAAA' };
const W2 = { name: 'w2.example', url: 'http://10.0.0.2:3100', verifierKey: 'w2.example+ffffffff+BAAA' };

function problems(env: Record<string, string>): string[] {
  try {
    validateConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    return error.problems.map((p) => p.variable);
  }
}

describe('audit witness configuration', () => {
  it('defaults to no witnesses and quorum 0 (the embedded demo publishes log-signed checkpoints)', () => {
    const config = validateConfig({});
    expect(config.AUDIT_WITNESSES).toEqual([]);
    expect(config.AUDIT_WITNESS_QUORUM).toBe(0);
  });

  it('reads a JSON list of witnesses and a quorum up to its length', () => {
    const config = validateConfig({ AUDIT_WITNESSES: JSON.stringify([W1, W2]), AUDIT_WITNESS_QUORUM: '2' });
    expect(config.AUDIT_WITNESSES).toEqual([W1, W2]);
    expect(config.AUDIT_WITNESS_QUORUM).toBe(2);
  });

  it.each([
    ['not JSON', 'w1.example'],
    ['not an array', JSON.stringify(W1)],
    ['a repeated name', JSON.stringify([W1, W1])],
    ['a key named otherwise', JSON.stringify([{ ...W1, name: 'w9.example' }])],
    ['a malformed key', JSON.stringify([{ ...W1, verifierKey: 'w1.example+xyz+BAAA' }])],
    ['a non-http URL', JSON.stringify([{ ...W1, url: 'ftp://w1.example' }])],
    ['a missing field', JSON.stringify([{ name: W1.name, url: W1.url }])],
    ['an unknown field', JSON.stringify([{ ...W1, quorum: 1 }])],
  ])('rejects AUDIT_WITNESSES with %s', (_case, value) => {
    expect(problems({ AUDIT_WITNESSES: value })).toEqual(['AUDIT_WITNESSES']);
  });

  it.each(['3', '-1', '1.5', 'two'])('rejects AUDIT_WITNESS_QUORUM=%s with two witnesses', (quorum) => {
    expect(problems({ AUDIT_WITNESSES: JSON.stringify([W1, W2]), AUDIT_WITNESS_QUORUM: quorum })).toEqual([
      'AUDIT_WITNESS_QUORUM',
    ]);
  });

  it('rejects a quorum without witnesses', () => {
    expect(problems({ AUDIT_WITNESS_QUORUM: '1' })).toEqual(['AUDIT_WITNESS_QUORUM']);
  });
});
