import { InvalidArgumentError } from '../errors';

const SQL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
// COPY's text format ends a field at a tab and a row at a newline, and reads backslash escapes.
const SPECIAL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escape = (c: string): string => ESCAPES[c]!;

/**
 * Whether a value holds a character COPY reads specially. Four `indexOf` scans, not a regular expression: on long
 * values (the registry's JSON documents) they are about ten times faster, and most values need no escape at all.
 */
function needsEscape(value: string): boolean {
  return value.indexOf('\\') >= 0 || value.indexOf('\t') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0;
}

/** `COPY table ("a", "b") FROM STDIN` after checking the names (they are code's, but the statement is built). */
export function copyStatement(table: string, columns: readonly string[]): string {
  if (typeof table !== 'string' || !SQL_NAME.test(table)) {
    throw new InvalidArgumentError('INVALID_ARGUMENT', 'table must be a plain lower-case SQL name', 'table');
  }
  if (
    !Array.isArray(columns) ||
    columns.length === 0 ||
    columns.some((c) => typeof c !== 'string' || !SQL_NAME.test(c))
  ) {
    throw new InvalidArgumentError('INVALID_ARGUMENT', 'columns must be plain lower-case SQL names', 'columns');
  }
  if (new Set(columns).size !== columns.length) {
    throw new InvalidArgumentError('INVALID_ARGUMENT', 'a column is named twice', 'columns');
  }
  return `COPY ${table} (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN`;
}

/** Chunks handed to the driver start small (a short COPY holds little memory) and double up to this size. */
const FIRST_CHUNK_BYTES = 64 * 1024;
const MAX_CHUNK_BYTES = 1024 * 1024;
const TAB = 0x09;
const NEWLINE = 0x0a;

/**
 * The rows as COPY text-format input, in chunks of UTF-8 bytes (a row may span two: COPY reads a stream). Hand-written:
 * it is the format's whole definition for text values (escape backslash, tab, newline, carriage return; `\N` is
 * NULL), and no library does only this. Each value is encoded straight into the chunk: no line or chunk string to
 * build, flatten and encode again on the socket (a rebuild formats about a gigabyte of rows).
 */
export function copyChunks(width: number, rows: Iterable<readonly (string | null)[]>): Buffer[] {
  if (rows === null || typeof rows !== 'object' || typeof (rows as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new InvalidArgumentError('INVALID_ARGUMENT', 'rows must be iterable', 'rows');
  }
  const chunks: Buffer[] = [];
  let chunk = Buffer.allocUnsafe(FIRST_CHUNK_BYTES);
  let used = 0;
  let index = 0;
  for (const row of rows) {
    if (!Array.isArray(row) || row.length !== width) {
      throw new InvalidArgumentError('INVALID_ARGUMENT', `row ${index} must have ${width} values`, 'rows');
    }
    for (let i = 0; i < width; i++) {
      const text = copyField(row[i], index);
      // UTF-8 takes at most three bytes per UTF-16 unit; one more for the separator.
      const room = 3 * text.length + 1;
      if (chunk.length - used < room) {
        if (used > 0) chunks.push(chunk.subarray(0, used));
        chunk = Buffer.allocUnsafe(Math.max(Math.min(2 * chunk.length, MAX_CHUNK_BYTES), room));
        used = 0;
      }
      used += chunk.write(text, used, 'utf8');
      chunk[used++] = i === width - 1 ? NEWLINE : TAB;
    }
    index += 1;
  }
  if (used > 0) chunks.push(chunk.subarray(0, used));
  return chunks;
}

function copyField(value: unknown, index: number): string {
  if (value === null) return '\\N';
  if (typeof value !== 'string') {
    throw new InvalidArgumentError('INVALID_ARGUMENT', `row ${index}: values must be text or null`, 'rows');
  }
  return needsEscape(value) ? value.replace(SPECIAL, escape) : value;
}
