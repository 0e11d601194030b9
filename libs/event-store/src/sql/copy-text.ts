import { InvalidArgumentError } from '../errors';

const SQL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Rows per chunk handed to the driver: large enough to amortise each write, small enough to stream. */
const ROWS_PER_CHUNK = 1000;
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

/**
 * The rows as COPY text-format input, in chunks of lines. Hand-written: it is the format's whole definition for
 * text values (escape backslash, tab, newline, carriage return; `\N` is NULL), and no library does only this.
 */
export function copyChunks(width: number, rows: Iterable<readonly (string | null)[]>): string[] {
  if (rows === null || typeof rows !== 'object' || typeof (rows as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new InvalidArgumentError('INVALID_ARGUMENT', 'rows must be iterable', 'rows');
  }
  const chunks: string[] = [];
  // A line per row, built by concatenation, and the lines of a chunk joined once: about a third cheaper than one
  // piece per value and separator (a rebuild formats millions of rows).
  let lines: string[] = [];
  let index = 0;
  for (const row of rows) {
    if (!Array.isArray(row) || row.length !== width) {
      throw new InvalidArgumentError('INVALID_ARGUMENT', `row ${index} must have ${width} values`, 'rows');
    }
    let line = copyField(row[0], index);
    for (let i = 1; i < width; i++) line += `\t${copyField(row[i], index)}`;
    lines.push(line);
    index += 1;
    if (lines.length === ROWS_PER_CHUNK) {
      lines.push('');
      chunks.push(lines.join('\n'));
      lines = [];
    }
  }
  if (lines.length > 0) {
    lines.push('');
    chunks.push(lines.join('\n'));
  }
  return chunks;
}

function copyField(value: unknown, index: number): string {
  if (value === null) return '\\N';
  if (typeof value !== 'string') {
    throw new InvalidArgumentError('INVALID_ARGUMENT', `row ${index}: values must be text or null`, 'rows');
  }
  return needsEscape(value) ? value.replace(SPECIAL, escape) : value;
}
