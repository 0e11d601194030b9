/** Builds a running witness from its configuration: storage, key, handler and HTTP server. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { parseSignerKey } from '@muskel/audit';
import { verifierKeyOf } from './verifier-key';
import { Witness } from './witness';
import { type WitnessConfig, logVerifiers } from './witness-config';
import { createWitnessServer } from './witness-server';
import { WitnessStore } from './witness-store';

export interface RunningWitness {
  readonly name: string;
  readonly verifierKey: string;
  readonly port: number;
  readonly url: string;
  readonly storeKind: string;
  close(): Promise<void>;
}

export interface StartWitnessOptions {
  /** Port 0 picks a free one (tests); else `config.port`. */
  port?: number;
  /** 127.0.0.1 for tests; all interfaces by default. */
  host?: string;
  onError?: (error: unknown) => void;
}

export async function startWitness(
  config: Omit<WitnessConfig, 'port' | 'dataDir'> & { port?: number; dataDir?: string },
  options: StartWitnessOptions = {},
): Promise<RunningWitness> {
  const store = await WitnessStore.open({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let server: Server | undefined;
  try {
    const signerKey = config.signerKey ?? (await store.signerKey(config.name));
    const signer = parseSignerKey(signerKey);
    const verifierKey = verifierKeyOf(signerKey);
    const witness = new Witness(store, signer, logVerifiers(config.logs));
    server = createWitnessServer({ witness, verifierKey, onError: options.onError });
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(options.port ?? config.port ?? 0, options.host, () => resolve());
    });
    const port = (listening.address() as AddressInfo).port;
    return {
      name: signer.name,
      verifierKey,
      port,
      url: `http://${options.host ?? '127.0.0.1'}:${port}`,
      storeKind: store.kind,
      async close() {
        await new Promise<void>((resolve) => {
          listening.close(() => resolve());
          listening.closeAllConnections();
        });
        await store.close();
      },
    };
  } catch (error) {
    server?.close();
    await store.close();
    throw error;
  }
}
