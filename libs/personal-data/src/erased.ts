/**
 * What a read shows for a personal field whose household was erased (its data key deleted): a constant string in
 * place of the value, so every consumer keeps its types (a name stays a string) and a reader sees plainly that the
 * value is gone. Bahasa Indonesia, like everything a user reads.
 */
export const ERASED = '[dihapus]';

export function isErased(value: unknown): boolean {
  return value === ERASED;
}
