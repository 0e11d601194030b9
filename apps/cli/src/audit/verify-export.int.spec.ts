/**
 * `verify-export` against archives changed after they left the server (the store-level attacks are in
 * tamper.int.spec.ts): an export of a PGlite log is taken apart, one thing is changed, and the archive is packed
 * again; each change is reported with its code and where it is.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';
import { canonicalize, generateKeyPair, leafHash } from '@muskel/audit';
import { AuditLogProjection, CheckpointSigner, prepareExport } from '@muskel/audit-log';
import { createPgliteEventStore, type RecordedEvent, type SqlEventStore } from '@muskel/event-store';
import type { AuditIo } from './audit-commands';
import { type ExportReport, ExportInputError, runVerifyExport, verifyExport } from './verify-export';
import type { AuditPolicy } from './verify';

const ORIGIN = 'audit.test/verify-export/v1';
const key = generateKeyPair(ORIGIN);
const policy: AuditPolicy = { origin: ORIGIN, verifierKeys: [key.verifierKey] };

interface Entry {
  name: string;
  content: string;
}

async function unpack(bytes: Buffer): Promise<Entry[]> {
  const entries: Entry[] = [];
  const extract = tarExtract();
  Readable.from([bytes]).pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    entries.push({ name: entry.header.name, content: Buffer.concat(chunks).toString('utf8') });
  }
  return entries;
}

async function repack(entries: Entry[]): Promise<Buffer> {
  const archive = tarPack();
  for (const entry of entries) archive.entry({ name: entry.name }, entry.content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const check = (entries: Entry[], saved: { note: string; label: string }[] = [], trust = policy) =>
  repack(entries).then((bytes) => verifyExport(Readable.from([bytes]), trust, saved));

/** The entries with `name`'s JSON lines passed through `edit`. */
function editLines(entries: Entry[], name: string, edit: (lines: string[]) => string[]): Entry[] {
  return entries.map((e) => {
    if (e.name !== name) return e;
    const lines = e.content.split('\n').filter((l) => l !== '');
    return {
      name,
      content: edit(lines)
        .map((l) => `${l}\n`)
        .join(''),
    };
  });
}

/** Flips one bit of the note's last signature. */
function flipSignature(note: string): string {
  const lines = note.split('\n');
  const last = lines.length - 2; // the note ends in a newline
  const parts = lines[last]!.split(' ');
  const bytes = Buffer.from(parts[2]!, 'base64');
  bytes[bytes.length - 1]! ^= 0x01;
  parts[2] = bytes.toString('base64');
  lines[last] = parts.join(' ');
  return lines.join('\n');
}

const summary = (report: ExportReport) => report.failures.map((f) => `${f.code} @ ${f.where}`);

describe('verify-export on altered archives', () => {
  let dir: string;
  let store: SqlEventStore;
  let entries: Entry[];
  let archiveBytes: Buffer;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-verify-export-'));
    store = await createPgliteEventStore({ durable: false });
    await store.init();
    await store.withTransaction((tx) => new AuditLogProjection().setup(tx));
    const signer = new CheckpointSigner(store, { origin: ORIGIN, signerKey: key.signerKey });
    for (const count of [5, 7]) {
      for (let n = 0; n < count; n++) {
        await store.appendToStream(
          `household-${randomUUID()}`,
          [{ id: randomUUID(), type: 'MemberAdded', data: { n }, metadata: {} }],
          { expected: 'no_stream' },
        );
      }
      const events: RecordedEvent[] = [];
      for await (const event of store.readAll()) events.push(event);
      await store.withTransaction((tx) => new AuditLogProjection().applyBatch(events, tx));
      await signer.signNow();
    }
    const prepared = await prepareExport(store.executor, {
      verifierKey: key.verifierKey,
      events: true,
      partMaxLines: 5,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of prepared!.open()) chunks.push(chunk as Buffer);
    archiveBytes = Buffer.concat(chunks);
    entries = await unpack(archiveBytes);
  });

  afterAll(async () => {
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('accepts the archive as exported, as a file through the command too', async () => {
    expect(entries.map((e) => e.name)).toEqual([
      'manifest.json',
      'verifier-key',
      'checkpoint',
      'checkpoints-000001.jsonl',
      'leaves-000001.jsonl',
      'events-000001.jsonl',
      'leaves-000002.jsonl',
      'events-000002.jsonl',
      'leaves-000003.jsonl',
      'events-000003.jsonl',
    ]);
    const report = await check(entries);
    expect(report).toMatchObject({ ok: true, size: 12, leaves: 12, checkpoints: 2, events: 12, failures: [] });
    const file = path.join(dir, 'export.tar');
    fs.writeFileSync(file, archiveBytes);
    const policyFile = path.join(dir, 'policy.json');
    fs.writeFileSync(policyFile, JSON.stringify(policy));
    const out: string[] = [];
    const io: AuditIo = { stdout: (l) => out.push(l), stderr: () => undefined, setExitCode: () => undefined };
    expect(await runVerifyExport(io, file, { policy: policyFile })).toBe(0);
    expect(JSON.parse(out[0]!)).toMatchObject({ archive: file, ok: true });
  });

  it('a changed record: LEAF_HASH_MISMATCH at that leaf, and the signed roots no longer match', async () => {
    const changed = editLines(entries, 'leaves-000002.jsonl', (lines) =>
      lines.map((l, i) => {
        if (i !== 1) return l;
        const leaf = JSON.parse(l) as { record: string };
        return JSON.stringify({ ...leaf, record: leaf.record.replace('"MemberAdded"', '"MemberRemoved"') });
      }),
    );
    expect(summary(await check(changed))).toEqual([
      'LEAF_HASH_MISMATCH @ leaves-000002.jsonl line 2 (leaf 6)',
      expect.stringMatching(/^EVENT_MISMATCH @ events-000002\.jsonl line 2: event .* \(leaf 6\)$/),
      'ROOT_MISMATCH @ checkpoints-000001.jsonl line 2 (checkpoint of size 12)',
    ]);
  });

  it('a record re-encoded (not canonical) with its hash recomputed: NOT_CANONICAL', async () => {
    const changed = editLines(entries, 'leaves-000001.jsonl', (lines) =>
      lines.map((l, i) => {
        if (i !== 0) return l;
        const leaf = JSON.parse(l) as { record: string };
        const record = JSON.stringify(JSON.parse(leaf.record), null, 1);
        return JSON.stringify({ ...leaf, record, leafHash: leafHash(Buffer.from(record)).toString('base64') });
      }),
    );
    const report = await check(changed);
    expect(report.failures[0]).toMatchObject({ code: 'NOT_CANONICAL', where: 'leaves-000001.jsonl line 1 (leaf 0)' });
    expect(report.failures.map((f) => f.code)).toContain('ROOT_MISMATCH');
    // Sanity: the canonical form of the same record is what was signed.
    const original = JSON.parse(entries[4]!.content.split('\n')[0]!) as { record: string };
    expect(canonicalize(JSON.parse(original.record) as Record<string, string>)).toBe(original.record);
  });

  it('events: a changed type, a duplicate, one from another part, one removed', async () => {
    const changedType = editLines(entries, 'events-000001.jsonl', (lines) =>
      lines.map((l, i) => (i === 2 ? JSON.stringify({ ...(JSON.parse(l) as object), type: 'MemberRemoved' }) : l)),
    );
    expect(summary(await check(changedType))).toEqual([
      expect.stringMatching(/^EVENT_MISMATCH @ events-000001\.jsonl line 3: event .* \(leaf 2\)$/),
    ]);
    const duplicated = editLines(entries, 'events-000001.jsonl', (lines) => [...lines, lines[0]!]);
    expect(summary(await check(duplicated))).toEqual([
      expect.stringMatching(/^EVENT_DUPLICATE @ events-000001\.jsonl line 6/),
    ]);
    const foreign = entries.find((e) => e.name === 'events-000003.jsonl')!.content.split('\n')[0]!;
    const moved = editLines(entries, 'events-000001.jsonl', (lines) => [...lines.slice(1), foreign]);
    expect(summary(await check(moved)).map((s) => s.split(' @ ')[0])).toEqual(['EVENT_EXTRA', 'EVENT_MISSING']);
    const removed = editLines(entries, 'events-000002.jsonl', (lines) => lines.slice(1));
    expect(summary(await check(removed))).toEqual([
      expect.stringMatching(/^EVENT_MISSING @ events-000002\.jsonl: leaf 5, event /),
    ]);
    const noEvents = entries.filter((e) => !e.name.startsWith('events'));
    expect((await check(noEvents)).failures.filter((f) => f.code === 'EVENT_MISSING')).toHaveLength(12);
  });

  it('checkpoints: a bad signature, sizes out of order, a saved checkpoint the archive does not reach', async () => {
    const flipped = editLines(entries, 'checkpoints-000001.jsonl', (lines) =>
      lines.map((l, i) => {
        if (i !== 0) return l;
        const line = JSON.parse(l) as { note: string };
        return JSON.stringify({ ...line, note: flipSignature(line.note) });
      }),
    );
    expect((await check(flipped)).failures[0]).toMatchObject({ code: 'BAD_SIGNATURE' });
    const reordered = editLines(entries, 'checkpoints-000001.jsonl', (lines) => [...lines].reverse());
    expect(summary(await check(reordered)).map((s) => s.split(' @ ')[0])).toEqual([
      'SIZE_REGRESSION',
      'ARCHIVE_MISMATCH',
    ]);
    // An export cut at size 5, checked against the checkpoint of size 12 the auditor saved.
    const cut5 = await prepareExport(store.executor, { verifierKey: key.verifierKey, size: 5 });
    const chunks: Buffer[] = [];
    for await (const chunk of cut5!.open()) chunks.push(chunk as Buffer);
    const latest = entries.find((e) => e.name === 'checkpoint')!.content;
    const report = await verifyExport(Readable.from([Buffer.concat(chunks)]), policy, [
      { note: latest, label: 'saved checkpoint latest' },
    ]);
    expect(summary(report)).toEqual(['SIZE_REGRESSION @ saved checkpoint latest']);
    // Signed by a key the policy does not trust.
    const other = generateKeyPair(ORIGIN);
    const untrusted = await check(entries, [], { origin: ORIGIN, verifierKeys: [other.verifierKey] });
    expect(untrusted.failures[0]).toMatchObject({ code: 'UNKNOWN_KEY', where: 'checkpoint: signatures' });
  });

  it('a part left out: the leaves after it are out of place and too few', async () => {
    const gap = entries.filter((e) => e.name !== 'leaves-000002.jsonl' && e.name !== 'events-000002.jsonl');
    expect(summary(await check(gap)).map((s) => s.split(' @ ')[0])).toEqual([
      'ARCHIVE_MISMATCH',
      'INDEX_MISMATCH',
      'LEAF_COUNT_MISMATCH',
      'LEAF_COUNT_MISMATCH',
    ]);
  });

  it('not an export at all: ExportInputError (exit 2)', async () => {
    await expect(check(entries.filter((e) => e.name !== 'manifest.json'))).rejects.toThrow(ExportInputError);
    await expect(check(entries.filter((e) => e.name !== 'checkpoint'))).rejects.toThrow(ExportInputError);
    await expect(verifyExport(Readable.from([Buffer.from('not a tar archive at all')]), policy)).rejects.toThrow(
      ExportInputError,
    );
  });
});
