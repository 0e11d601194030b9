/**
 * Conformance suite on the embedded PGlite adapter. Runs without any server: `npm test` (needs
 * NODE_OPTIONS=--experimental-vm-modules, which the npm script sets).
 *
 * initdb takes seconds, so the harness makes one initialised template per run and starts every store from its dump:
 * in memory by default, in a temp data directory when a case needs the database to outlive the store.
 */
import { PGlite } from '@electric-sql/pglite';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EventStore } from './event-store.port';
import { createPgliteEventStore } from './index';
import {
  describeEventStoreConformance,
  type ConformanceHarness,
  type FreshOptions,
} from './testing/event-store.conformance';

interface Dumps {
  /** An initdb'ed cluster without the event-store schema. */
  bare: Blob;
  /** The same after `init()`. */
  initialised: Blob;
}

function createPgliteHarness(): ConformanceHarness {
  let dumps: Promise<Dumps> | undefined;
  const dataDirs = new Map<EventStore, string>();
  const opened = new Set<EventStore>();
  const tempDirs: string[] = [];

  const getDumps = (): Promise<Dumps> =>
    (dumps ??= (async () => {
      const raw = await PGlite.create();
      const bare = await raw.dumpDataDir('none');
      await raw.close();
      const template = await createPgliteEventStore({ loadDataDir: bare });
      await template.init();
      const initialised = await template.dumpDataDir();
      await template.close();
      return { bare, initialised };
    })());

  const track = (store: EventStore, dataDir?: string): EventStore => {
    opened.add(store);
    if (dataDir) dataDirs.set(store, dataDir);
    return store;
  };

  const tempDir = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-pglite-'));
    tempDirs.push(dir);
    return dir;
  };

  const dataDirOf = (store: EventStore): string => {
    const dir = dataDirs.get(store);
    if (!dir) throw new Error('this PGlite store is in memory; open it with fresh({ persistent: true })');
    return dir;
  };

  return {
    exclusive: true,
    async fresh(options?: FreshOptions) {
      const { initialised } = await getDumps();
      const dataDir = options?.persistent ? tempDir() : undefined;
      const store = await createPgliteEventStore({ loadDataDir: initialised, ...(dataDir ? { dataDir } : {}) });
      track(store, dataDir);
      await store.init();
      return store;
    },
    async reopen(store) {
      const dataDir = dataDirOf(store);
      const reopened = track(await createPgliteEventStore({ dataDir }), dataDir);
      await reopened.init();
      return reopened;
    },
    async uninitialised() {
      // Single instance: the concurrency is on one store.
      const { bare } = await getDumps();
      return [track(await createPgliteEventStore({ loadDataDir: bare }))];
    },
    childEnv(store) {
      return { MUSKEL_TEST_STORE: 'pglite', MUSKEL_TEST_DATA_DIR: dataDirOf(store) };
    },
    async dispose() {
      for (const store of opened) await store.close().catch(() => undefined);
      opened.clear();
      for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describeEventStoreConformance('pglite', createPgliteHarness(), {
  skip: {
    'all-gap-safe-deterministic':
      'PGlite has a single connection: while transaction A is open no other append can run, so no later commit can overtake it',
    'sub-reconnect': 'PGlite runs inside this process: there is no connection or server to lose',
  },
});
