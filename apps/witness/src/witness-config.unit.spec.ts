import { SIGNATURE_TYPE_COSIGNATURE_V1, generateKeyPair } from '@muskel/audit';
import { verifierKeyOf } from './verifier-key';
import { DEFAULT_WITNESS_NAME, WitnessConfigError, readWitnessConfig } from './witness-config';

const log = generateKeyPair('log.test/audit');
const LOGS = JSON.stringify([{ origin: 'log.test/audit', verifierKey: log.verifierKey }]);

function problems(env: Record<string, string>): string[] {
  try {
    readWitnessConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof WitnessConfigError)) throw error;
    return [...error.problems];
  }
}

describe('witness configuration', () => {
  it('has defaults for everything but the logs', () => {
    expect(readWitnessConfig({ WITNESS_LOGS: LOGS })).toEqual({
      signerKey: undefined,
      name: DEFAULT_WITNESS_NAME,
      logs: [{ origin: 'log.test/audit', verifierKey: log.verifierKey }],
      databaseUrl: undefined,
      dataDir: './data/witness',
      port: 3100,
    });
  });

  it('takes its name from a configured cosignature key, whose verifier key it can publish', () => {
    const key = generateKeyPair('kpk.example/w1', SIGNATURE_TYPE_COSIGNATURE_V1);
    const config = readWitnessConfig({ WITNESS_LOGS: LOGS, WITNESS_SIGNER_KEY: key.signerKey, PORT: '8080' });
    expect(config.name).toBe('kpk.example/w1');
    expect(config.port).toBe(8080);
    expect(verifierKeyOf(key.signerKey)).toBe(key.verifierKey);
  });

  it('names every bad variable, and never echoes the signer key', () => {
    const logKey = generateKeyPair('w.test'); // an Ed25519 (0x01) key: not a cosignature key
    const found = problems({
      WITNESS_SIGNER_KEY: logKey.signerKey,
      WITNESS_LOGS: '[{"origin": "x"}]',
      WITNESS_DATABASE_URL: 'mysql://db',
      PORT: '70000',
    });
    expect(found).toHaveLength(4);
    expect(found.join('\n')).not.toContain(logKey.signerKey.split('+')[4]);
    expect(problems({})).toEqual([expect.stringContaining('WITNESS_LOGS')]);
    expect(problems({ WITNESS_LOGS: LOGS, WITNESS_NAME: 'has space' })).toHaveLength(1);
  });
});
