/**
 * `muskel audit verify-export <archive> --policy <file>`: checks a whole exported audit log offline, streaming, in
 * memory bounded by one part file (plus one size and root per signed checkpoint): every leaf is canonical JSON, in
 * its place and hashes to its stated leaf hash; the tree recomputed leaf by leaf (RFC 9162 §2.1.2, CompactRange)
 * has the signed root at the size of every checkpoint in the archive and of every checkpoint the auditor saved
 * earlier; every checkpoint verifies under the trust policy; sizes never decrease; and, when the archive carries
 * the stored events, each leaf's event is there exactly once, matches its leaf and recomputes its digest.
 * It reads only the files named and opens no network connection.
 */
import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { Command } from 'commander';
import { extract as tarExtract } from 'tar-stream';
import { CompactRange, type JsonValue, isCanonicalJson, leafHash, parseCanonicalJson } from '@muskel/audit';
import {
  CHECKPOINT_FILE,
  EXPORT_FORMAT,
  MANIFEST_FILE,
  PART_PATTERN,
  VERIFIER_KEY_FILE,
  eventDigest,
  leafHashTextOfText,
} from '@muskel/audit-log';
import type { AuditIo } from './audit-commands';
import {
  type AuditPolicy,
  type Failure,
  type FailureCode,
  checkpointNoteFromFile,
  parsePolicy,
  verifyCheckpointAgainstPolicy,
} from './verify';

/** At most this many failures are listed; the rest are counted. */
const MAX_FAILURES = 100;
/** A longer line is refused rather than buffered (an archive is untrusted input). */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

export interface SavedCheckpoint {
  /** The signed note as the auditor kept it. */
  note: string;
  /** How to name it in failures (its file). */
  label: string;
}

export interface ExportReport {
  ok: boolean;
  format: string | null;
  origin: string | null;
  /** Size and root of the checkpoint the export is cut at. */
  size: number | null;
  rootHash: string | null;
  leaves: number;
  checkpoints: number;
  /** Events checked; null when the archive carries none. */
  events: number | null;
  /** Saved checkpoints the archive's history was checked against. */
  savedCheckpoints: number;
  failures: Failure[];
  /** Failures beyond MAX_FAILURES, not listed. */
  failuresOmitted: number;
}

/** The archive cannot be read as an export at all: a usage problem (exit 2), not a verdict on the log. */
export class ExportInputError extends Error {}

interface Target {
  size: number;
  root: Buffer;
  where: string;
}

interface ExpectedEvent {
  index: number;
  type: unknown;
  stream: unknown;
  revision: unknown;
  digest: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Splits an entry into lines without holding more than one line besides the chunk read; the last line may lack
 * its newline. Yields the lines of each chunk together: an await per line was a large share of verifying a leaf.
 */
async function* lines(entry: AsyncIterable<unknown>): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of entry) {
    const text = pending + decoder.write(chunk as Buffer);
    const batch: string[] = [];
    let from = 0;
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', from)) {
      batch.push(text.slice(from, at));
      from = at + 1;
    }
    pending = text.slice(from);
    if (pending.length > MAX_LINE_BYTES) throw new ExportInputError(`a line is longer than ${MAX_LINE_BYTES} bytes`);
    if (batch.length > 0) yield batch;
  }
  pending += decoder.end();
  if (pending !== '') yield [pending];
}

/** ES2024, in Node 20 already; the project's `lib` is older. */
type WellFormedCheck = string & { isWellFormed(): boolean };

/**
 * A leaf's hash and, when its record is canonical JSON, the parsed record: the record is parsed once for both the
 * canonical check and its fields. Exactly `leafHash` and `isCanonicalJson` of the record's UTF-8 bytes.
 */
function checkRecord(record: string): {
  hash: Buffer;
  /** `hash` in base64. */
  hashText: string;
  canonical: { value: JsonValue } | undefined;
} {
  // A well-formed string is its UTF-8 bytes decoded again, so text and bytes say the same; a lone surrogate is
  // encoded as U+FFFD, and such a record takes the byte path, exactly as before.
  if ((record as WellFormedCheck).isWellFormed()) {
    const hashText = leafHashTextOfText(record);
    return { hash: Buffer.from(hashText, 'base64'), hashText, canonical: parseCanonicalJson(record) };
  }
  const bytes = Buffer.from(record, 'utf8');
  const hash = leafHash(bytes);
  return {
    hash,
    hashText: hash.toString('base64'),
    canonical: isCanonicalJson(bytes) ? { value: JSON.parse(record) as JsonValue } : undefined,
  };
}

/** Reads an entry to its end without keeping it. */
async function drain(entry: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of entry) {
    // discarded
  }
}

async function text(entry: AsyncIterable<unknown>, limit = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of entry) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size > limit) throw new ExportInputError(`an entry expected to be small is over ${limit} bytes`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Verifies an uncompressed export archive read from `input`. Throws ExportInputError when it is not an export
 * (not a tar, no manifest or cut checkpoint, unknown format); every finding about the content is a failure.
 */
export async function verifyExport(
  input: Readable,
  policy: AuditPolicy,
  saved: readonly SavedCheckpoint[] = [],
): Promise<ExportReport> {
  const report: ExportReport = {
    ok: false,
    format: null,
    origin: null,
    size: null,
    rootHash: null,
    leaves: 0,
    checkpoints: 0,
    events: null,
    savedCheckpoints: saved.length,
    failures: [],
    failuresOmitted: 0,
  };
  const fail = (code: FailureCode, what: string, where: string): void => {
    if (report.failures.length < MAX_FAILURES) report.failures.push({ code, what, where });
    else report.failuresOmitted += 1;
  };

  const targets: Target[] = [];
  for (const s of saved) {
    const checked = verifyCheckpointAgainstPolicy(s.note, policy, s.label);
    if (!checked.ok) fail(checked.failure.code, checked.failure.what, checked.failure.where);
    else targets.push({ size: checked.checkpoint.size, root: checked.checkpoint.rootHash, where: s.label });
  }

  let manifestSeen = false;
  let cutNote: string | undefined;
  let cut: { size: number; root: Buffer } | undefined;
  let lastCheckpointNote: string | undefined;
  let lastCheckpointSize = -1;
  let leavesStarted = false;
  let expectedPart = 1;
  /** The leaves part whose events may follow, and the events still expected from it. */
  let openPart: { n: number; expected: Map<string, ExpectedEvent>; seen: Set<string> } | undefined;
  const tree = CompactRange.empty();
  let nextTarget = 0;
  let seqShift = 0;

  /** Compares the recomputed root with every checkpoint of the size the tree has just reached. */
  const checkTargets = (): void => {
    while (nextTarget < targets.length && targets[nextTarget]!.size <= tree.size) {
      const target = targets[nextTarget]!;
      if (target.size === tree.size && !tree.root().equals(target.root)) {
        fail(
          'ROOT_MISMATCH',
          `the leaves in the archive give another root at size ${target.size} than the one signed: the log was changed after that checkpoint was signed`,
          target.where,
        );
      }
      nextTarget += 1;
    }
  };

  const closeEvents = (): void => {
    if (!openPart) return;
    if (report.events !== null) {
      for (const [eventId, expected] of openPart.expected) {
        if (openPart.seen.has(eventId)) continue;
        fail(
          'EVENT_MISSING',
          `leaf ${expected.index} names event ${eventId}, which is not among the exported events`,
          `${partFile('events', openPart.n)}: leaf ${expected.index}, event ${eventId}`,
        );
      }
    }
    openPart = undefined;
  };

  const extract = tarExtract();
  input.on('error', (error) => extract.destroy(error));
  input.pipe(extract);
  try {
    for await (const entry of extract) {
      const name = entry.header.name;
      if (name === MANIFEST_FILE) {
        const manifest = parseJson(await text(entry), MANIFEST_FILE);
        if (!isObject(manifest) || manifest.format !== EXPORT_FORMAT) {
          throw new ExportInputError(`${MANIFEST_FILE} does not name the format ${EXPORT_FORMAT}`);
        }
        manifestSeen = true;
        report.format = EXPORT_FORMAT;
        report.origin = typeof manifest.origin === 'string' ? manifest.origin : null;
        const counts = isObject(manifest.counts) ? manifest.counts : {};
        report.events = counts.events === null || counts.events === undefined ? null : 0;
        continue;
      }
      if (!manifestSeen) throw new ExportInputError(`the archive does not start with ${MANIFEST_FILE}`);
      if (name === VERIFIER_KEY_FILE) {
        await text(entry); // informative only: trust comes from the policy, never from the archive
        continue;
      }
      if (name === CHECKPOINT_FILE) {
        cutNote = await text(entry);
        const checked = verifyCheckpointAgainstPolicy(cutNote, policy, CHECKPOINT_FILE);
        if (!checked.ok) fail(checked.failure.code, checked.failure.what, checked.failure.where);
        else {
          cut = { size: checked.checkpoint.size, root: checked.checkpoint.rootHash };
          report.size = cut.size;
          report.rootHash = cut.root.toString('base64');
          report.origin = checked.checkpoint.origin;
        }
        continue;
      }
      const part = PART_PATTERN.exec(name);
      if (!part) {
        await drain(entry);
        continue; // unknown entries prove nothing either way
      }
      const kind = part[1] as 'checkpoints' | 'leaves' | 'events';
      const n = Number(part[2]);
      if (kind === 'checkpoints') {
        if (leavesStarted) throw new ExportInputError(`${name} comes after the leaves`);
        let line = 0;
        for await (const batch of lines(entry))
          for (const raw of batch) {
            line += 1;
            report.checkpoints += 1;
            const where = `${name} line ${line}`;
            const value = parseLine(raw);
            if (!isObject(value) || typeof value.note !== 'string') {
              fail('MALFORMED_INPUT', 'not a checkpoint line ({size, rootHash, signedAt, note})', where);
              continue;
            }
            const checked = verifyCheckpointAgainstPolicy(value.note, policy, where);
            if (!checked.ok) {
              fail(checked.failure.code, checked.failure.what, checked.failure.where);
              continue;
            }
            const { size, rootHash } = checked.checkpoint;
            const label = `${where} (checkpoint of size ${size})`;
            if (value.size !== size || value.rootHash !== rootHash.toString('base64')) {
              fail('ARCHIVE_MISMATCH', 'the line states another size or root than its signed note', label);
            }
            if (size < lastCheckpointSize) {
              fail(
                'SIZE_REGRESSION',
                `this checkpoint (size ${size}) was signed after one of size ${lastCheckpointSize}: a log never shrinks`,
                label,
              );
            }
            lastCheckpointSize = Math.max(lastCheckpointSize, size);
            lastCheckpointNote = value.note;
            targets.push({ size, root: rootHash, where: label });
          }
        continue;
      }
      if (kind === 'leaves') {
        if (!leavesStarted) {
          leavesStarted = true;
          if (cutNote === undefined)
            throw new ExportInputError(`the archive has no ${CHECKPOINT_FILE} before the leaves`);
          if (lastCheckpointNote !== cutNote) {
            fail(
              'ARCHIVE_MISMATCH',
              'the last of the signed checkpoints is not the checkpoint the export is cut at',
              CHECKPOINT_FILE,
            );
          }
          for (const target of targets) {
            if (cut && target.size > cut.size) {
              fail(
                'SIZE_REGRESSION',
                `a checkpoint of size ${target.size} exists, but the export is cut at a signed size of ${cut.size}: the log was truncated`,
                target.where,
              );
            }
          }
          targets.sort((a, b) => a.size - b.size); // stable: equal sizes keep their order
          checkTargets(); // size 0
        }
        closeEvents();
        if (n !== expectedPart) fail('ARCHIVE_MISMATCH', `part ${n} where part ${expectedPart} was due`, name);
        expectedPart = n + 1;
        openPart = { n, expected: new Map(), seen: new Set() };
        let line = 0;
        for await (const batch of lines(entry))
          for (const raw of batch) {
            line += 1;
            const index = report.leaves;
            report.leaves += 1;
            const value = parseLine(raw);
            if (!isObject(value) || typeof value.record !== 'string' || typeof value.leafHash !== 'string') {
              fail('MALFORMED_INPUT', 'not a leaf line ({seq, eventId, leafHash, record})', leafAt(name, line, index));
              continue;
            }
            const { hash, hashText, canonical } = checkRecord(value.record);
            // The tree grows from the record itself: what the leaf says is what gets compared with the signatures.
            tree.append(hash);
            // Reported where the shift between seq and index changes: a gap or an insertion shifts every later leaf
            // alike and is one finding, not thousands.
            const shift = typeof value.seq === 'number' ? value.seq - index : Number.NaN;
            if (shift !== 0 && shift !== seqShift) {
              fail(
                'INDEX_MISMATCH',
                `leaf index ${index} holds seq ${JSON.stringify(value.seq)}: a leaf is missing, added or moved here`,
                leafAt(name, line, index),
              );
            }
            seqShift = shift;
            // The one strict base64 text of these 32 bytes, so the same as decoding the stated hash strictly.
            if (value.leafHash !== hashText) {
              fail('LEAF_HASH_MISMATCH', 'the record does not hash to the stated leaf hash', leafAt(name, line, index));
            }
            if (!canonical) {
              fail('NOT_CANONICAL', 'the record is not RFC 8785 canonical JSON', leafAt(name, line, index));
            } else {
              const record = canonical.value;
              if (!isObject(record))
                fail('MALFORMED_INPUT', 'the record is not a JSON object', leafAt(name, line, index));
              else {
                if (record.seq !== value.seq) {
                  fail(
                    'INDEX_MISMATCH',
                    `the record says seq ${JSON.stringify(record.seq)}, its line another`,
                    leafAt(name, line, index),
                  );
                }
                if (record.eventId !== value.eventId || typeof record.eventId !== 'string') {
                  fail('EVENT_ID_MISMATCH', "the record's eventId is not the line's", leafAt(name, line, index));
                } else {
                  openPart.expected.set(record.eventId, {
                    index,
                    type: record.type,
                    stream: record.stream,
                    revision: record.revision,
                    digest: record.digest,
                  });
                }
              }
            }
            checkTargets();
          }
        continue;
      }
      // events
      if (report.events === null) report.events = 0;
      if (!openPart || openPart.n !== n) {
        fail('ARCHIVE_MISMATCH', `events part ${n} does not follow leaves part ${n}`, name);
        await drain(entry);
        continue;
      }
      const current = openPart;
      let line = 0;
      for await (const batch of lines(entry))
        for (const raw of batch) {
          line += 1;
          report.events += 1;
          const value = parseLine(raw);
          if (!isObject(value) || typeof value.id !== 'string') {
            fail(
              'MALFORMED_INPUT',
              'not an event line ({id, stream, revision, type, data, metadata, recordedAt})',
              `${name} line ${line}`,
            );
            continue;
          }
          const id = value.id;
          const expected = current.expected.get(id);
          if (current.seen.has(id)) {
            fail('EVENT_DUPLICATE', `event ${id} is exported twice`, `${name} line ${line}: event ${id}`);
            continue;
          }
          if (!expected) {
            fail(
              'EVENT_EXTRA',
              `event ${id} is not named by any leaf of ${partFile('leaves', n)}`,
              `${name} line ${line}: event ${id}`,
            );
            continue;
          }
          current.seen.add(id);
          const where = `${name} line ${line}: event ${id} (leaf ${expected.index})`;
          const differs = (['type', 'stream', 'revision'] as const).filter((field) => value[field] !== expected[field]);
          if (differs.length > 0) {
            fail('EVENT_MISMATCH', `the stored event's ${differs.join(', ')} differ from its leaf`, where);
          }
          let digest: string | undefined;
          try {
            digest = eventDigest({ data: value.data as never, metadata: value.metadata as never });
          } catch {
            digest = undefined;
          }
          if (digest !== expected.digest) {
            fail(
              'DIGEST_MISMATCH',
              "the stored event's data or metadata do not hash to the digest in its leaf: the event was changed",
              where,
            );
          }
        }
    }
  } catch (error) {
    if (error instanceof ExportInputError) throw error;
    throw new ExportInputError(`the archive cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  closeEvents();
  if (!manifestSeen) throw new ExportInputError(`the archive has no ${MANIFEST_FILE}`);
  if (cutNote === undefined) throw new ExportInputError(`the archive has no ${CHECKPOINT_FILE}`);
  if (!leavesStarted) {
    targets.sort((a, b) => a.size - b.size);
    checkTargets();
  }
  if (cut && report.leaves !== cut.size) {
    fail(
      'LEAF_COUNT_MISMATCH',
      `the archive holds ${report.leaves} leaves, the checkpoint it is cut at signs ${cut.size}`,
      CHECKPOINT_FILE,
    );
  }
  for (const target of targets.slice(nextTarget)) {
    if (target.size > tree.size && !(cut && target.size > cut.size)) {
      fail(
        'LEAF_COUNT_MISMATCH',
        `the archive ends at ${tree.size} leaves, before this checkpoint's size`,
        target.where,
      );
    }
  }
  report.ok = report.failures.length === 0;
  return report;
}

/** Where a leaf is, built only for a failure: a string per leaf was a measurable share of verifying it. */
function leafAt(name: string, line: number, index: number): string {
  return `${name} line ${line} (leaf ${index})`;
}

const partFile = (kind: string, n: number): string => `${kind}-${String(n).padStart(6, '0')}.jsonl`;

function parseJson(content: string, where: string): unknown {
  try {
    return JSON.parse(content) as unknown;
  } catch {
    throw new ExportInputError(`${where} is not valid JSON`);
  }
}

function parseLine(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** The archive's bytes, gunzipped when they start with the gzip magic number. */
export function openArchive(file: string): Readable {
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      head = Buffer.alloc(2);
      fs.readSync(fd, head, 0, 2, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    throw new ExportInputError(`cannot read ${file}: ${(error as Error).message}`);
  }
  // Larger reads than the 64 KiB default: fewer chunks through the tar parser, measured a few percent faster.
  const raw = fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
  if (head[0] !== 0x1f || head[1] !== 0x8b) return raw;
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ExportInputError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Exit code: 0 verified, 1 a failure against the log, 2 only unreadable content (or an unreadable archive). */
export async function runVerifyExport(
  io: AuditIo,
  archiveFile: string,
  options: { policy: string; checkpoint?: string[] },
): Promise<number> {
  try {
    const policy = parsePolicy(parseJson(readFile(options.policy), options.policy));
    if (!policy.ok) throw new ExportInputError(`${options.policy}: ${policy.failure.where}: ${policy.failure.what}`);
    const saved = (options.checkpoint ?? []).map((file) => {
      const read = checkpointNoteFromFile(readFile(file));
      if (!read.ok) throw new ExportInputError(`${file}: ${read.failure.what}`);
      return { note: read.note, label: `saved checkpoint ${file}` };
    });
    const report = await verifyExport(openArchive(archiveFile), policy.policy, saved);
    io.stdout(JSON.stringify({ archive: archiveFile, ...report }, null, 2));
    const [first] = report.failures;
    if (!first) return 0;
    io.stderr(`code: ${first.code}`);
    io.stderr(`what: ${first.what}`);
    io.stderr(`where: ${archiveFile}: ${first.where}`);
    if (report.failures.length > 1)
      io.stderr(`and ${report.failures.length - 1 + report.failuresOmitted} more (see the report)`);
    return report.failures.every((f) => f.code === 'MALFORMED_INPUT') ? 2 : 1;
  } catch (error) {
    if (!(error instanceof ExportInputError)) throw error;
    io.stderr(`muskel: ${error.message}`);
    return 2;
  }
}

/** Adds `audit verify-export` to the `audit` command. */
export function registerVerifyExport(audit: Command, io: AuditIo): void {
  audit
    .command('verify-export')
    .description('check a whole exported log: leaves, root history against every checkpoint, events (no network)')
    .argument('<archive>', 'the archive from GET /audit/v1/export (.tar or .tar.gz)')
    .requiredOption('--policy <policy.json>', 'trust policy: {origin, verifierKeys, quorum?}')
    .option(
      '--checkpoint <file>',
      'a checkpoint you saved earlier (raw note or API JSON); the archive must agree with it (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(async (archive: string, options: { policy: string; checkpoint?: string[] }) => {
      let code: number;
      try {
        code = await runVerifyExport(io, archive, options);
      } catch (error) {
        io.stderr(`muskel: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
        code = 1;
      }
      io.setExitCode(code);
    });
}
