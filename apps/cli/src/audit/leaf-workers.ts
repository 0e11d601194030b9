/**
 * Worker threads that check the leaves lines of an export in parallel (`verify-export` on large archives): each
 * takes a block of whole lines and returns, per line, either its leaf hash and fields, when the line passes every
 * check of the common case, or the line itself, which the caller then checks on its own thread with the full code.
 * So a worker decides only "certainly fine"; every finding, and every unusual but valid record (an escaped
 * surrogate, a member name that is a number), goes through the one reference path in verify-export.ts.
 *
 * The worker is plain JavaScript run with `eval`, not a module file: it must run the same under the TypeScript
 * loaders of the CLI and of the tests and from the compiled build, and none of them load a TypeScript worker file
 * the same way. It uses node:crypto and JSON only. Its checks are those of `checkRecord` and the leaf loop in
 * verify-export.ts (the one-shot hash of `\0` + record as in `leafHashTextOfText`, the canonical fast path of
 * `parseCanonicalJson`); verify-export.int.spec.ts compares the two paths on altered archives.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** What a worker returns for a block of lines. */
export interface LeafBlockResult {
  /** The leaf index of the block's first line. */
  start: number;
  /** Lines in the block. */
  count: number;
  /** 1 where the line passed every check (its seq and fields below), 0 where the caller must check it. */
  ok: Uint8Array;
  /** 32 bytes per line: the leaf hash of every line, SHA-256(0x00 || its UTF-8 bytes). */
  hashes: Buffer;
  /**
   * The block's leaves as aligned perfect subtrees, left to right (`CompactRange.appendSubtree`): 32 bytes of root
   * per entry of `sizes`.
   */
  roots: Buffer;
  sizes: number[];
  /** The seq of each passing line. */
  seqs: Float64Array;
  /** Per passing line, in order: eventId, type, stream, revision, digest of its record; empty unless asked for. */
  fields: unknown[];
  /** The lines that did not pass, in order. */
  others: string[];
}

/**
 * `scanLeafRecord(text)`: the parsed record when the text is certainly RFC 8785 canonical JSON of the common shape
 * (one flat object; keys that do not start with a digit, strictly ascending; strings without escapes; integers of at
 * most 15 digits; true, false, null) with a number `seq` and a string `eventId`; otherwise undefined, and the caller
 * checks the text with the reference (`parseCanonicalJson`), which also accepts the rarer canonical shapes.
 *
 * General path. Why an accepted text is canonical: the pattern admits only the canonical forms of its values (JCS
 * escapes only '"', '\' and U+0000..U+001F, none of which appear; an integer below 2^53 is its digits with no
 * leading zero, no '+', fraction or exponent, never "-0") and no whitespace; key order is checked on the parsed
 * object, whose enumeration order is the text's because no key looks like an array index; and the canonical text of
 * the parsed object is exactly as long as the text (a key given twice would leave the text longer): no duplicates.
 *
 * Shape path, first. A log writes millions of records with the same few key lists, so each record the general path
 * accepts teaches its shape: its keys in order and the kind of each value (string, integer, true, false, null),
 * as one anchored pattern with those keys spelled out and a capture per value. A text that matches a learnt shape
 * matches the general pattern too, with keys already known strictly ascending and each given once, and a seq and an
 * eventId of the learnt kinds: the general path would accept it, with the value rebuilt here from the captures. A
 * pattern match is about a fifth of the cost of the general pattern and JSON.parse, which were most of the cost of
 * verifying a leaf. At most SHAPES shapes are kept (the oldest goes first): an archive of odd records costs a failed
 * match per shape, never memory. leaf-workers.unit.spec.ts checks with fast-check that whatever either path accepts
 * the reference accepts, with the same value, on texts of a learnt shape altered in every way.
 */
const SCANNER_SOURCE = String.raw`
const STRING = /"[^"\\\x00-\x1f]*"/.source;
const INTEGER = /0|-?[1-9][0-9]{0,14}/.source;
const FLAT_CANONICAL = /^\{(?:"[^"\\\x00-\x1f0-9][^"\\\x00-\x1f]*":(?:"[^"\\\x00-\x1f]*"|0|-?[1-9][0-9]{0,14}|true|false|null),)*"[^"\\\x00-\x1f0-9][^"\\\x00-\x1f]*":(?:"[^"\\\x00-\x1f]*"|0|-?[1-9][0-9]{0,14}|true|false|null)\}$/;
const SHAPES = 16;
function createLeafScanner() {
  const shapes = [];
  let oldest = 0;
  function learn(value) {
    // JSON.parse makes "__proto__" an own member, an assignment would set the prototype instead: such a record
    // keeps to the general path.
    if (Object.hasOwn(value, '__proto__')) return;
    const keys = [];
    const kinds = [];
    for (const key in value) {
      const v = value[key];
      keys.push(key);
      kinds.push(typeof v === 'string' ? 's' : typeof v === 'number' ? 'n' : v === true ? 't' : v === false ? 'f' : 'z');
    }
    const members = keys.map((key, i) => {
      const kind = kinds[i];
      const pattern = kind === 's' ? STRING : kind === 'n' ? INTEGER : kind === 't' ? 'true' : kind === 'f' ? 'false' : 'null';
      // Every code unit but a plain letter or digit spelled as \uXXXX: no key can mean anything in a pattern.
      const spelled = key.replace(/[^A-Za-z0-9_]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
      return '"' + spelled + '":(' + pattern + ')';
    });
    const shape = { pattern: new RegExp('^\\{' + members.join(',') + '\\}$'), keys, kinds };
    if (shapes.length < SHAPES) shapes.push(shape);
    else {
      shapes[oldest] = shape;
      oldest = (oldest + 1) % SHAPES;
    }
  }
  function fromShape(shape, match) {
    const value = {};
    const { keys, kinds } = shape;
    for (let i = 0; i < keys.length; i++) {
      const kind = kinds[i];
      const raw = match[i + 1];
      value[keys[i]] = kind === 's' ? raw.slice(1, -1) : kind === 'n' ? Number(raw) : kind === 't' ? true : kind === 'f' ? false : null;
    }
    return value;
  }
  return function scanLeafRecord(text) {
    if (!text.isWellFormed()) return undefined;
    for (let s = 0; s < shapes.length; s++) {
      const match = shapes[s].pattern.exec(text);
      if (match !== null) return fromShape(shapes[s], match);
    }
    if (!FLAT_CANONICAL.test(text)) return undefined;
    const value = JSON.parse(text);
    let previous;
    // The length of the canonical text of what was parsed: shorter than the text when a key came twice.
    let length = 1;
    for (const key in value) {
      if (previous !== undefined && !(previous < key)) return undefined;
      previous = key;
      const v = value[key];
      length += key.length + 4 + (typeof v === 'string' ? v.length + 2 : v === false ? 5 : v === true || v === null ? 4 : String(v).length);
    }
    if (length !== text.length || typeof value.seq !== 'number' || typeof value.eventId !== 'string') return undefined;
    learn(value);
    return value;
  };
}
const scanLeafRecord = createLeafScanner();
`;

/** A record `scanLeafRecord` accepts (its other members as they are). */
export interface ScannedLeaf {
  seq: number;
  eventId: string;
  type?: unknown;
  stream?: unknown;
  revision?: unknown;
  digest?: unknown;
}

/** See SCANNER_SOURCE: the very code the workers run, so both threads accept exactly the same texts. */
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- one source for this thread and the workers
const makeScanner = new Function(`${SCANNER_SOURCE}; return createLeafScanner;`) as () => () => (
  text: string,
) => ScannedLeaf | undefined;
/** A scanner with shapes of its own (tests start from none). */
export const createLeafScanner = makeScanner();
export const scanLeafRecord = createLeafScanner();

const WORKER_SOURCE = String.raw`'use strict';
(() => {
${SCANNER_SOURCE}
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const oneShot = crypto.hash;
// A latin1 string out (one character per byte) written into place: on Node 20 a 'buffer' output of the one-shot
// hash measured about twice as slow, base64 about 8 % slower.
const hashInto = oneShot
  ? (data, target, at) => target.write(oneShot('sha256', data, 'latin1'), at, 32, 'latin1')
  : (data, target, at) => crypto.createHash('sha256').update(data).digest().copy(target, at);
const nodeInput = Buffer.alloc(65, 1);
/** RFC 9162 root of the perfect subtree of the 'size' leaf hashes at 'from' (in leaves) of 'hashes'. */
function subtreeRoot(hashes, from, size) {
  let level = hashes.subarray(from * 32, (from + size) * 32);
  while (level.length > 32) {
    const next = Buffer.allocUnsafe(level.length / 2);
    for (let j = 0; j < next.length; j += 32) {
      level.copy(nodeInput, 1, 2 * j, 2 * j + 64);
      hashInto(nodeInput, next, j);
    }
    level = next;
  }
  return level;
}
parentPort.on('message', ({ bytes, start, wantFields }) => {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const lines = text.split('\n');
  lines.pop(); // every block ends with a newline
  const count = lines.length;
  const ok = new Uint8Array(count);
  const hashes = Buffer.from(new ArrayBuffer(count * 32));
  const seqs = new Float64Array(count);
  const fields = [];
  const others = [];
  for (let i = 0; i < count; i++) {
    const record = lines[i];
    hashInto('\u0000' + record, hashes, i * 32);
    const found = scanLeafRecord(record);
    if (found === undefined) {
      others.push(record);
      continue;
    }
    ok[i] = 1;
    seqs[i] = found.seq;
    if (wantFields) fields.push(found.eventId, found.type, found.stream, found.revision, found.digest);
  }
  // [start, start + count) as aligned perfect subtrees: each step the largest one that starts here and fits.
  const sizes = [];
  const parts = [];
  for (let at = start; at < start + count; ) {
    let size = 1;
    while (size < 2 ** 30 && at % (size * 2) === 0 && at + size * 2 <= start + count) size *= 2;
    parts.push(subtreeRoot(hashes, at - start, size));
    sizes.push(size);
    at += size;
  }
  const roots = Buffer.from(new ArrayBuffer(parts.length * 32));
  parts.forEach((root, k) => root.copy(roots, k * 32));
  parentPort.postMessage({ start, count, ok, hashes, roots, sizes, seqs, fields, others },
    [ok.buffer, hashes.buffer, roots.buffer, seqs.buffer]);
});
})();
`;

/** Bytes of lines per block sent to a worker: large enough that messaging is a small share, small enough to share. */
export const BLOCK_BYTES = 256 * 1024;

interface Pending {
  resolve: (result: LeafBlockResult) => void;
  reject: (error: Error) => void;
}

/** How many worker threads a verification uses by default: one per core the process may use. */
export const defaultVerifyThreads = (): number => availableParallelism();

/**
 * A pool of leaf-checking workers fed with the bytes of one leaves part after another. Blocks are cut at line
 * ends and handed out in turn; results come back in the order the bytes went in, at most `2 × threads` blocks in
 * flight, so memory stays bounded whatever the size of the part.
 */
export class LeafWorkers {
  private readonly workers: { worker: Worker; queue: Pending[] }[] = [];
  private readonly inFlight: Promise<LeafBlockResult>[] = [];
  private next = 0;
  private blockParts: Buffer[] = [];
  private blockBytes = 0;
  private carry: Buffer = Buffer.alloc(0);
  private failure: Error | undefined;
  /** The leaf index of the next line sent. */
  private nextIndex = 0;

  constructor(
    threads: number,
    private readonly blockSize = BLOCK_BYTES,
  ) {
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      const slot = { worker, queue: [] as Pending[] };
      worker.on('message', (result: LeafBlockResult) => {
        // Transferred as plain Uint8Arrays: Buffer views on the same memory, no copy.
        const view = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        slot.queue.shift()?.resolve({ ...result, hashes: view(result.hashes), roots: view(result.roots) });
      });
      const fail = (error: Error): void => {
        this.failure ??= error;
        for (const pending of slot.queue.splice(0)) pending.reject(error);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (slot.queue.length > 0) fail(new Error(`a verification worker stopped (exit code ${code})`));
      });
      this.workers.push(slot);
    }
  }

  /** A leaves part begins; its first line is leaf `index` (the previous part's blocks have all come back). */
  startPart(index: number): void {
    this.nextIndex = index;
  }

  /**
   * Takes the next bytes of the part; yields the results of blocks whose turn has come (in order) when too many
   * are in flight. `maxLineBytes` bounds the unfinished line kept between chunks.
   */
  async *push(chunk: Buffer, maxLineBytes: number, wantFields: boolean): AsyncGenerator<LeafBlockResult> {
    const end = chunk.lastIndexOf(0x0a);
    if (end < 0) {
      this.carry = Buffer.concat([this.carry, chunk]);
      if (this.carry.length > maxLineBytes) throw new LineTooLongError(maxLineBytes);
      return;
    }
    if (this.carry.length > 0) this.add(this.carry);
    this.add(chunk.subarray(0, end + 1));
    // A copy: the stream may reuse its buffer once this chunk is consumed.
    this.carry = Buffer.from(chunk.subarray(end + 1));
    if (this.blockBytes >= this.blockSize) {
      this.dispatch(wantFields);
      while (this.inFlight.length >= 2 * this.workers.length) yield await this.inFlight.shift()!;
    }
  }

  /** Ends the part: sends what is left (a last line without its newline counts as a line) and yields the rest. */
  async *end(wantFields: boolean): AsyncGenerator<LeafBlockResult> {
    if (this.carry.length > 0) {
      this.add(this.carry);
      this.add(Buffer.from('\n'));
      this.carry = Buffer.alloc(0);
    }
    if (this.blockBytes > 0) this.dispatch(wantFields);
    while (this.inFlight.length > 0) yield await this.inFlight.shift()!;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  private add(bytes: Buffer): void {
    this.blockParts.push(bytes);
    this.blockBytes += bytes.length;
  }

  private dispatch(wantFields: boolean): void {
    if (this.failure) throw this.failure;
    // A fresh buffer of its own (not from the pool, uninitialised: every byte is written), moved to the worker.
    const bytes = Buffer.allocUnsafeSlow(this.blockBytes);
    let at = 0;
    for (const part of this.blockParts) {
      bytes.set(part, at);
      at += part.length;
    }
    this.blockParts = [];
    this.blockBytes = 0;
    const start = this.nextIndex;
    for (let nl = bytes.indexOf(0x0a); nl >= 0; nl = bytes.indexOf(0x0a, nl + 1)) this.nextIndex += 1;
    const slot = this.workers[this.next]!;
    this.next = (this.next + 1) % this.workers.length;
    const result = new Promise<LeafBlockResult>((resolve, reject) => slot.queue.push({ resolve, reject }));
    result.catch(() => undefined); // awaited in turn; an early failure must not be unhandled meanwhile
    this.inFlight.push(result);
    slot.worker.postMessage({ bytes, start, wantFields }, [bytes.buffer]);
  }
}

export class LineTooLongError extends Error {
  constructor(maxLineBytes: number) {
    super(`a line is longer than ${maxLineBytes} bytes`);
  }
}
