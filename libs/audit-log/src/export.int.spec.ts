/**
 * The export archive on PGlite: its entries and their order, every leaf and checkpoint up to the cut and nothing
 * after it, part files of bounded size, the events exactly as stored (their digests recompute), gzip, and
 * backpressure: a reader that stops reading stops the reads of the log.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import { CompactRange, generateKeyPair, leafHash, parseSignerKey, signCheckpoint } from '@muskel/audit';
import { createPgliteEventStore, type RecordedEvent, type SqlEventStore } from '@muskel/event-store';
import {
  AuditLogProjection,
  CheckpointSigner,
  EXPORT_FORMAT,
  type ExportManifest,
  type ExportedCheckpoint,
  type ExportedEvent,
  type ExportedLeaf,
  eventDigest,
  prepareExport,
} from './index';
import type { SqlRunner } from './sql';

const ORIGIN = 'audit.test/export/v1';
const key = generateKeyPair(ORIGIN);

async function entries(stream: Readable): Promise<{ name: string; content: string }[]> {
  const out: { name: string; content: string }[] = [];
  const extract = tarExtract();
  stream.pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    out.push({ name: entry.header.name, content: Buffer.concat(chunks).toString('utf8') });
  }
  return out;
}

const jsonl = <T>(content: string): T[] =>
  content
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);

describe('audit log export', () => {
  let dir: string;
  let store: SqlEventStore;
  let signer: CheckpointSigner;
  const sizes: number[] = [];

  async function append(count: number): Promise<void> {
    for (let n = 0; n < count; n++) {
      await store.appendToStream(
        `household-${randomUUID()}`,
        [
          {
            id: randomUUID(),
            type: 'MemberAdded',
            // Key order and a number with a fraction: the digest must come from the stored JSON, canonicalised.
            data: { z: n, a: 'Jalan Mawar', ratio: 0.5 },
            metadata: { occurredAt: new Date().toISOString() },
          },
        ],
        { expected: 'no_stream' },
      );
    }
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);
    await store.withTransaction((tx) => new AuditLogProjection().applyBatch(events, tx));
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-audit-export-'));
    store = await createPgliteEventStore({ dataDir: path.join(dir, 'db'), durable: false });
    await store.init();
    await store.withTransaction((tx) => new AuditLogProjection().setup(tx));
    signer = new CheckpointSigner(store, { origin: ORIGIN, signerKey: key.signerKey });
    for (const count of [7, 10, 8]) {
      await append(count);
      sizes.push((await signer.signNow()).size);
    }
    await append(3); // integrated but not yet signed: not in any export
  });

  afterAll(async () => {
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('holds manifest, key, cut checkpoint, every checkpoint, and the leaves in bounded parts', async () => {
    expect(sizes).toEqual([7, 17, 25]);
    const prepared = await prepareExport(store.executor, {
      verifierKey: key.verifierKey,
      partMaxLines: 10,
      now: new Date('2026-11-22T00:00:00Z'),
    });
    const files = await entries(prepared!.open());
    expect(files.map((f) => f.name)).toEqual([
      'manifest.json',
      'verifier-key',
      'checkpoint',
      'checkpoints-000001.jsonl',
      'leaves-000001.jsonl',
      'leaves-000002.jsonl',
      'leaves-000003.jsonl',
    ]);
    const manifest = JSON.parse(files[0]!.content) as ExportManifest;
    expect(manifest).toMatchObject({
      format: EXPORT_FORMAT,
      origin: ORIGIN,
      size: 25,
      counts: { leaves: 25, checkpoints: 3, events: null },
      created: '2026-11-22T00:00:00.000Z',
    });
    expect(files[1]!.content).toBe(`${key.verifierKey}\n`);
    const checkpoints = jsonl<ExportedCheckpoint>(files[3]!.content);
    expect(checkpoints.map((c) => c.size)).toEqual([7, 17, 25]);
    expect(files[2]!.content).toBe(checkpoints[2]!.note);
    const leaves = files.slice(4).flatMap((f) => jsonl<ExportedLeaf>(f.content));
    expect(files.slice(4).map((f) => jsonl(f.content).length)).toEqual([10, 10, 5]);
    expect(leaves.map((l) => l.seq)).toEqual([...Array(25).keys()]);
    // Each line is the stored leaf, byte for byte, and the lines rebuild the signed root at each checkpoint's size.
    const stored = await store.executor.query<{ leaf_hash: Uint8Array }>(
      'SELECT leaf_hash FROM audit_leaves ORDER BY seq',
    );
    const lines = files.slice(4).flatMap((f) => f.content.split('\n').filter((l) => l !== ''));
    const tree = CompactRange.empty();
    for (const [seq, line] of lines.entries()) {
      const hash = leafHash(Buffer.from(line, 'utf8'));
      expect(hash.equals(Buffer.from(stored[seq]!.leaf_hash))).toBe(true);
      tree.append(hash);
      const signed = checkpoints.find((c) => c.size === tree.size);
      if (signed) expect(tree.root().toString('base64')).toBe(signed.rootHash);
    }
  });

  it('cuts at an earlier checkpoint, adds the events as stored, and gzips', async () => {
    const prepared = await prepareExport(store.executor, {
      verifierKey: key.verifierKey,
      size: 17,
      events: true,
      log: store.raw(),
      gzip: true,
      partMaxLines: 10,
    });
    expect(prepared!.manifest).toMatchObject({ size: 17, counts: { leaves: 17, checkpoints: 2, events: 17 } });
    const files = await entries(prepared!.open().pipe(createGunzip()));
    expect(files.map((f) => f.name).slice(3)).toEqual([
      'checkpoints-000001.jsonl',
      'leaves-000001.jsonl',
      'events-000001.jsonl',
      'leaves-000002.jsonl',
      'events-000002.jsonl',
    ]);
    const leaves = files.filter((f) => f.name.startsWith('leaves')).flatMap((f) => jsonl<ExportedLeaf>(f.content));
    const events = files.filter((f) => f.name.startsWith('events')).flatMap((f) => jsonl<ExportedEvent>(f.content));
    expect(events.map((e) => e.id)).toEqual(leaves.map((l) => l.eventId));
    const stored = new Map<string, RecordedEvent>();
    for await (const event of store.readAll()) stored.set(event.id, event);
    for (const [i, event] of events.entries()) {
      const original = stored.get(event.id)!;
      expect(event).toEqual({
        id: original.id,
        stream: original.streamName,
        revision: original.revision,
        type: original.type,
        data: original.data,
        metadata: original.metadata,
        recordedAt: original.recordedAt.toISOString(),
      });
      expect(eventDigest({ data: event.data as never, metadata: event.metadata as never })).toBe(leaves[i]!.digest);
    }
  });

  it('has nothing to export without a checkpoint of the size asked', async () => {
    expect(await prepareExport(store.executor, { verifierKey: key.verifierKey, size: 18 })).toBeUndefined();
  });

  it('reads the log only as fast as the archive is read', async () => {
    const big = await createPgliteEventStore({ durable: false });
    try {
      await big.init();
      await big.withTransaction((tx) => new AuditLogProjection().setup(tx));
      const size = 30_000;
      // Synthetic leaves straight into the table: this test is about paging, not about their content.
      await big.executor.query(
        `INSERT INTO audit_leaves (seq, event_id, leaf_hash, record)
         SELECT g, 'e' || g, sha256(g::text::bytea), '{"seq":' || g || '}' FROM generate_series(0, $1 - 1) g`,
        [size],
      );
      const note = signCheckpoint({ origin: ORIGIN, size, rootHash: Buffer.alloc(32), extensions: [] }, [
        parseSignerKey(key.signerKey),
      ]);
      await big.executor.query('INSERT INTO audit_checkpoints (size, root, note) VALUES ($1, $2, $3)', [
        size,
        Buffer.alloc(32),
        note,
      ]);
      let leafPages = 0;
      const counting: SqlRunner = {
        query: (sql, params) => {
          if (sql.includes('FROM audit_leaves WHERE seq >=')) leafPages += 1;
          return big.executor.query(sql, params);
        },
      };
      const prepared = await prepareExport(counting, { verifierKey: key.verifierKey, partMaxLines: 1000 });
      const stream = prepared!.open();
      const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      await iterator.next();
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Nobody reads: the export has stopped after a few pages instead of reading all 30.
      expect(leafPages).toBeLessThan(8);
      let bytes = 0;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) bytes += next.value.length;
      expect(leafPages).toBe(size / 1000 + 1); // the last page is empty
      expect(bytes).toBeGreaterThan(size * 10); // a line per leaf, `{"seq":n}` and its newline at least
    } finally {
      await big.close();
    }
  });
});
