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
import {
  type ExportReport,
  ExportInputError,
  type VerifyExportOptions,
  runVerifyExport,
  verifyExport,
} from './verify-export';
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

/** On this thread, and with worker threads on every part in blocks of a few lines (the checks must not differ). */
const MODES: [string, VerifyExportOptions][] = [
  ['on one thread', { threads: 1 }],
  ['with worker threads', { threads: 2, parallelFromBytes: 0, blockBytes: 700 }],
];

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

/**
 * Appends one event per household stream up to each of `sizes`, integrates them and signs a checkpoint at each size;
 * returns the export with events, in parts of `partMaxLines` lines.
 */
async function signedArchive(store: SqlEventStore, sizes: number[], partMaxLines: number): Promise<Buffer[]> {
  const signer = new CheckpointSigner(store, { origin: ORIGIN, signerKey: key.signerKey });
  let applied = 0;
  for (const size of sizes) {
    for (; applied < size; applied++) {
      await store.appendToStream(
        `household-${randomUUID()}`,
        [{ id: randomUUID(), type: 'MemberAdded', data: { n: applied }, metadata: {} }],
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
    log: store.raw(),
    partMaxLines,
  });
  const chunks: Buffer[] = [];
  for await (const chunk of prepared!.open()) chunks.push(chunk as Buffer);
  return chunks;
}

const summary = (report: ExportReport) => report.failures.map((f) => `${f.code} @ ${f.where}`);

describe.each(MODES)('verify-export on altered archives, %s', (_mode, options) => {
  const check = (entries: Entry[], saved: { note: string; label: string }[] = [], trust = policy) =>
    repack(entries).then((bytes) => verifyExport(Readable.from([bytes]), trust, saved, options));
  let dir: string;
  let store: SqlEventStore;
  let entries: Entry[];
  let archiveBytes: Buffer;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-verify-export-'));
    store = await createPgliteEventStore({ durable: false });
    await store.init();
    await store.withTransaction((tx) => new AuditLogProjection().setup(tx));
    const chunks = await signedArchive(store, [5, 12], 5);
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
    expect(await runVerifyExport(io, file, { policy: policyFile, threads: '3' })).toBe(0);
    const errors: string[] = [];
    const usage: AuditIo = { ...io, stderr: (l) => errors.push(l) };
    expect(await runVerifyExport(usage, file, { policy: policyFile, threads: 'many' })).toBe(2);
    expect(errors).toEqual(['muskel: --threads must be a whole number from 1 to 256, not many']);
  });

  it('a changed record: its event no longer matches it, and the signed roots no longer match', async () => {
    const changed = editLines(entries, 'leaves-000002.jsonl', (lines) =>
      lines.map((l, i) => (i === 1 ? l.replace('"MemberAdded"', '"MemberRemoved"') : l)),
    );
    expect(summary(await check(changed))).toEqual([
      expect.stringMatching(/^EVENT_MISMATCH @ events-000002\.jsonl line 2: event .* \(leaf 6\)$/),
      'ROOT_MISMATCH @ checkpoints-000001.jsonl line 2 (checkpoint of size 12)',
    ]);
  });

  it('a record re-encoded (not canonical): NOT_CANONICAL, and the roots no longer match', async () => {
    const changed = editLines(entries, 'leaves-000001.jsonl', (lines) =>
      lines.map((l, i) => (i === 0 ? l.replace('":', '": ') : l)),
    );
    const report = await check(changed);
    expect(report.failures[0]).toMatchObject({ code: 'NOT_CANONICAL', where: 'leaves-000001.jsonl line 1 (leaf 0)' });
    expect(report.failures.map((f) => f.code)).toContain('ROOT_MISMATCH');
    // Sanity: each line is the canonical form of its record, which is what was signed.
    const original = entries[4]!.content.split('\n')[0]!;
    expect(canonicalize(JSON.parse(original) as Record<string, string>)).toBe(original);
    expect(leafHash(Buffer.from(original)).equals(leafHash(Buffer.from(original, 'utf8')))).toBe(true);
  });

  it('a line that is no record at all: MALFORMED_INPUT there, and the roots no longer match', async () => {
    const changed = editLines(entries, 'leaves-000003.jsonl', (lines) => lines.map((l, i) => (i === 0 ? 'x' : l)));
    expect(summary(await check(changed)).map((s) => s.split(' @ ')[0])).toEqual([
      'MALFORMED_INPUT',
      'ROOT_MISMATCH',
      'EVENT_EXTRA',
    ]);
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
    const report = await verifyExport(
      Readable.from([Buffer.concat(chunks)]),
      policy,
      [{ note: latest, label: 'saved checkpoint latest' }],
      options,
    );
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
    await expect(
      verifyExport(Readable.from([Buffer.from('not a tar archive at all')]), policy, [], options),
    ).rejects.toThrow(ExportInputError);
  });
});

/**
 * The worker threads decide only "certainly fine" and hand the tree whole subtrees where no signed size falls
 * inside a block: for any one change to the leaves, the report must be the one thread's, whatever the block size.
 */
describe('verify-export with worker threads reports what one thread reports', () => {
  let store: SqlEventStore;
  let entries: Entry[];

  beforeAll(async () => {
    store = await createPgliteEventStore({ durable: false });
    await store.init();
    await store.withTransaction((tx) => new AuditLogProjection().setup(tx));
    // Checkpoints at sizes that fall inside blocks, on their edges and on part edges (parts of 25 lines).
    const chunks = await signedArchive(store, [7, 20, 25, 33, 64, 90], 25);
    entries = await unpack(Buffer.concat(chunks));
  });

  afterAll(async () => {
    await store?.close();
  });

  const edits: [string, string, (lines: string[]) => string[]][] = [
    ['nothing', 'leaves-000001.jsonl', (l) => l],
    ['a line removed', 'leaves-000002.jsonl', (l) => l.filter((_, i) => i !== 3)],
    ['a line repeated', 'leaves-000001.jsonl', (l) => [...l.slice(0, 8), l[7]!, ...l.slice(8)]],
    ['two lines swapped', 'leaves-000003.jsonl', (l) => [l[1]!, l[0]!, ...l.slice(2)]],
    ['whitespace', 'leaves-000002.jsonl', (l) => l.map((x, i) => (i === 5 ? x.replace('":', '": ') : x))],
    ['keys out of order', 'leaves-000001.jsonl', (l) => l.map((x, i) => (i === 19 ? reorder(x) : x))],
    ['a value changed', 'leaves-000004.jsonl', (l) => l.map((x, i) => (i === 0 ? x.replace('"v":1', '"v":2') : x))],
    ['a seq changed', 'leaves-000002.jsonl', (l) => l.map((x, i) => (i === 7 ? x.replace(/"seq":\d+/, '"seq":7') : x))],
    ['no eventId', 'leaves-000003.jsonl', (l) => l.map((x, i) => (i === 2 ? x.replace('"eventId"', '"eventID"') : x))],
    ['garbage', 'leaves-000001.jsonl', (l) => l.map((x, i) => (i === 6 ? '{"seq":' : x))],
    ['an empty line', 'leaves-000002.jsonl', (l) => [...l.slice(0, 4), '', ...l.slice(4)]],
    // Canonical, but not of the common shape: the reference path accepts it on either side.
    [
      'an escape',
      'leaves-000001.jsonl',
      (l) => l.map((x, i) => (i === 2 ? x.replace('"v":1', '"v":1,"w":"\\u001f"') : x)),
    ],
    ['the last newline dropped', 'leaves-000004.jsonl', (l) => l],
  ];

  it.each(edits)('%s', async (what, name, edit) => {
    let changed = editLines(entries, name, edit);
    if (what === 'the last newline dropped') {
      changed = changed.map((e) => (e.name === name ? { ...e, content: e.content.slice(0, -1) } : e));
    }
    const bytes = await repack(changed);
    const one = await verifyExport(Readable.from([bytes]), policy, [], { threads: 1 });
    if (what === 'nothing' || what === 'the last newline dropped') expect(one).toMatchObject({ ok: true, leaves: 90 });
    else expect(one.ok).toBe(false);
    for (const blockBytes of [1, 5_000, 1_000_000]) {
      const many = await verifyExport(Readable.from([bytes]), policy, [], {
        threads: 2,
        parallelFromBytes: 0,
        blockBytes,
      });
      expect(many).toEqual(one);
    }
  });
});

/** The record with its members in reverse order (same content, not canonical). */
function reorder(line: string): string {
  const value = JSON.parse(line) as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(Object.entries(value).reverse()));
}
