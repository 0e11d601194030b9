/**
 * RFC 8785 JSON Canonicalization Scheme (JCS). Only the I-JSON subset is accepted: plain objects, arrays,
 * strings without lone surrogates, finite numbers, booleans and null. Anything else throws a TypeError.
 */
import { decodeUtf8 } from './bytes';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Canonical JSON text of `value` (RFC 8785 §3.2). */
export function canonicalize(value: unknown): string {
  return serialize(value, new Set());
}

/** UTF-8 bytes of the canonical JSON text (RFC 8785 §3.2.4): what gets hashed or signed. */
export function canonicalizeToBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}

/**
 * True if `bytes` are exactly the canonical form of the JSON they encode. Also catches duplicate keys,
 * because JSON.parse keeps one of them and the re-serialised text then differs.
 */
export function isCanonicalJson(bytes: Uint8Array): boolean {
  const text = decodeUtf8(bytes);
  return text !== undefined && parseCanonicalJson(text) !== undefined;
}

/**
 * Parses `text` and returns its value when `text` is exactly its canonical form (else undefined), so a verifier
 * that needs both the check and the value parses once. For a parsed value JSON.stringify writes numbers and
 * escapes strings as RFC 8785 does, and differs only in member order and lone surrogates: when its output is the
 * text, every object's members are in code-unit order and no `\ud` escape occurs, the text is canonical, at a
 * fraction of the cost of `canonicalize`. Anything else (a number key, an escaped surrogate) takes the full check.
 */
export function parseCanonicalJson(text: string): { value: JsonValue } | undefined {
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
  if (!text.includes('\\ud') && JSON.stringify(value) === text && membersSorted(value)) return { value };
  try {
    return canonicalize(value) === text ? { value } : undefined;
  } catch {
    return undefined;
  }
}

/** Every object's own keys, in enumeration order, strictly ascending by UTF-16 code units (RFC 8785 §3.2.3). */
function membersSorted(value: JsonValue): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(membersSorted);
  let previous: string | undefined;
  for (const key in value) {
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    if (!membersSorted(value[key]!)) return false;
  }
  return true;
}

function serialize(value: unknown, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return serializeNumber(value);
    case 'string':
      return serializeString(value);
    case 'object':
      return serializeContainer(value, ancestors);
    default:
      throw new TypeError(`JCS: cannot serialise a ${typeof value}`);
  }
}

/** RFC 8785 §3.2.2.3: ECMAScript Number.prototype.toString, which String() is; -0 becomes "0". */
function serializeNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`JCS: ${value} is not a JSON number`);
  return String(value);
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

// In a /u regex a surrogate pair is one code point, so \p{Cs} only matches unpaired halves.
const LONE_SURROGATE = /\p{Cs}/u;

/** RFC 8785 §3.2.2.2: escape only '"', '\\' and controls (short forms, else \u00xx lowercase). */
function serializeString(value: string): string {
  if (LONE_SURROGATE.test(value)) throw new TypeError('JCS: string contains a lone surrogate');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
  return `"${value.replace(/["\\\u0000-\u001f]/g, escapeChar)}"`;
}

function escapeChar(ch: string): string {
  return SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function serializeContainer(value: object, ancestors: Set<object>): string {
  if (ancestors.has(value)) throw new TypeError('JCS: cyclic structure');
  ancestors.add(value);
  try {
    return Array.isArray(value) ? serializeArray(value, ancestors) : serializeObject(value, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function serializeArray(value: readonly unknown[], ancestors: Set<object>): string {
  return `[${value.map((item) => serialize(item, ancestors)).join(',')}]`;
}

/** RFC 8785 §3.2.3: members sorted by key as arrays of UTF-16 code units, which is JS's default sort. */
function serializeObject(value: object, ancestors: Set<object>): string {
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new TypeError('JCS: only plain objects are JSON');
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${serializeString(k)}:${serialize(v, ancestors)}`).join(',')}}`;
}
