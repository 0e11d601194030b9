/**
 * The witness's configuration, from environment variables. Hand-written rather than libs/config's AppConfig: that
 * class is the API's (its defaults and rules would leak in), and the witness reads six variables.
 */
import {
  NoteError,
  type NoteVerifier,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  decodeBase64,
  parseSignerKey,
  parseVerifierKey,
} from '@muskel/audit';

export interface WitnessLogConfig {
  /** The checkpoint origin line of the log. */
  origin: string;
  /** The log's verifier key (Ed25519, type 0x01). */
  verifierKey: string;
}

export interface WitnessConfig {
  /** A configured cosignature/v1 signer key; else one is generated on first start and kept in the database. */
  signerKey?: string;
  /** The witness's key name (of a generated key; must match a configured one). */
  name: string;
  logs: WitnessLogConfig[];
  /** PostgreSQL; unset: the embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  port: number;
}

export class WitnessConfigError extends Error {
  override readonly name = 'WitnessConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid witness configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export const DEFAULT_WITNESS_NAME = 'witness.muskel.local';
export const DEFAULT_WITNESS_PORT = 3100;

const isUnset = (value: string | undefined): value is undefined => value === undefined || value.trim() === '';

/**
 * WITNESS_SIGNER_KEY, WITNESS_NAME, WITNESS_LOGS (JSON `[{"origin", "verifierKey"}]`), WITNESS_DATABASE_URL,
 * WITNESS_DATA_DIR (default `./data/witness`), PORT (default 3100). Throws WitnessConfigError naming every problem;
 * the signer key and database password are never echoed.
 */
export function readWitnessConfig(env: Record<string, string | undefined>): WitnessConfig {
  const problems: string[] = [];
  let name = isUnset(env.WITNESS_NAME) ? undefined : env.WITNESS_NAME.trim();
  let signerKey: string | undefined;
  if (!isUnset(env.WITNESS_SIGNER_KEY)) {
    signerKey = env.WITNESS_SIGNER_KEY.trim();
    try {
      const signer = parseSignerKey(signerKey);
      if (signerKeyType(signerKey) !== SIGNATURE_TYPE_COSIGNATURE_V1) throw new NoteError('not a cosignature key');
      if (name !== undefined && name !== signer.name) {
        problems.push(`WITNESS_NAME must be the signer key's name when both are set`);
      }
      name = signer.name;
    } catch {
      problems.push(
        'WITNESS_SIGNER_KEY must be a cosignature/v1 (type 0x04) signer key: PRIVATE+KEY+<name>+<id>+<key>',
      );
    }
  }
  name ??= DEFAULT_WITNESS_NAME;
  if (!/^[^\s+]+$/u.test(name))
    problems.push(`WITNESS_NAME must have no spaces and no "+" (got ${JSON.stringify(name)})`);

  const logs = readLogs(env.WITNESS_LOGS, problems);

  let databaseUrl: string | undefined;
  if (!isUnset(env.WITNESS_DATABASE_URL)) {
    databaseUrl = env.WITNESS_DATABASE_URL.trim();
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('WITNESS_DATABASE_URL must be a postgres:// URL');
  }
  const dataDir = isUnset(env.WITNESS_DATA_DIR) ? './data/witness' : env.WITNESS_DATA_DIR.trim();

  let port = DEFAULT_WITNESS_PORT;
  if (!isUnset(env.PORT)) {
    port = /^\d+$/.test(env.PORT.trim()) ? Number(env.PORT.trim()) : NaN;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      problems.push(`PORT must be an integer from 1 to 65535 (got ${JSON.stringify(env.PORT)})`);
    }
  }
  if (problems.length > 0) throw new WitnessConfigError(problems);
  return { signerKey, name, logs, databaseUrl, dataDir, port };
}

function readLogs(text: string | undefined, problems: string[]): WitnessLogConfig[] {
  const rule = 'WITNESS_LOGS must be a non-empty JSON array of {"origin", "verifierKey"} with distinct origins';
  if (isUnset(text)) {
    problems.push(`${rule} (it is unset: a witness with no log has nothing to do)`);
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push(`${rule} (not JSON)`);
    return [];
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    problems.push(rule);
    return [];
  }
  const logs: WitnessLogConfig[] = [];
  for (const [i, entry] of (parsed as unknown[]).entries()) {
    const { origin, verifierKey } = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<
      string,
      unknown
    >;
    if (typeof origin !== 'string' || origin === '' || /[\n\r]/.test(origin) || logs.some((l) => l.origin === origin)) {
      problems.push(`${rule} (entry ${i}: bad or repeated "origin")`);
      continue;
    }
    try {
      if (typeof verifierKey !== 'string') throw new NoteError('missing');
      parseVerifierKey(verifierKey);
    } catch {
      problems.push(`${rule} (entry ${i}: "verifierKey" is not a verifier key <name>+<id>+<key>)`);
      continue;
    }
    logs.push({ origin, verifierKey });
  }
  return logs;
}

/** The type byte of a signer key string (parseSignerKey has validated it). */
function signerKeyType(signerKey: string): number | undefined {
  const encoded = signerKey.split('+').slice(4).join('+');
  return decodeBase64(encoded)?.[0];
}

/** Verifiers per origin, for the add-checkpoint handler. */
export function logVerifiers(logs: readonly WitnessLogConfig[]): Map<string, NoteVerifier[]> {
  const byOrigin = new Map<string, NoteVerifier[]>();
  for (const log of logs)
    byOrigin.set(log.origin, [...(byOrigin.get(log.origin) ?? []), parseVerifierKey(log.verifierKey)]);
  return byOrigin;
}
