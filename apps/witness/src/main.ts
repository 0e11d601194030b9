/**
 * A c2sp.org/tlog-witness for the Muskel audit log (and any log of signed C2SP checkpoints): `npm run witness`.
 * Configuration by environment, see witness-config.ts and the README's "Witnesses" section.
 */
import { startWitness } from './witness-app';
import { WitnessConfigError, readWitnessConfig } from './witness-config';

async function main(): Promise<void> {
  let config;
  try {
    config = readWitnessConfig(process.env);
  } catch (error) {
    if (!(error instanceof WitnessConfigError)) throw error;
    process.stderr.write(`muskel-witness: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  const witness = await startWitness(config, {
    // The message only: request bodies are not logged.
    onError: (error) => process.stderr.write(`muskel-witness: request failed: ${(error as Error).message}\n`),
  });
  // The verifier key is public: operators copy it into the log's AUDIT_WITNESSES and the auditors' policy.
  process.stdout.write(
    `${JSON.stringify({
      msg: 'witness listening',
      name: witness.name,
      port: witness.port,
      store: witness.storeKind,
      logs: config.logs.map((log) => log.origin),
      verifierKey: witness.verifierKey,
    })}\n`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    witness.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`muskel-witness: shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`muskel-witness: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
