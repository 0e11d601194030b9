import { id } from './id';

export type MessageKey = keyof typeof id;
type Catalogue = Record<MessageKey, string>;

/** The active catalogue. Only Indonesian for now; an English one plugs in here with the same keys. */
const catalogue: Catalogue = id;

/** The message for `key`, with `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = catalogue[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Whether the catalogue has `key` (API error codes are looked up by name). */
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(catalogue, key);
}

export * from './format';
