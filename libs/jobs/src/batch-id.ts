import { batchStreamName } from '@muskel/domain';

/** A batch id as the API names it, `<regency>-<yyyymm>` (e.g. `3515-202611`), and its stream; undefined if malformed. */
export function batchStreamOf(batchId: string): string | undefined {
  const match = /^(\d{4})-(\d{4})(\d{2})$/.exec(batchId);
  if (!match) return undefined;
  try {
    return batchStreamName(match[1]!, `${match[2]}-${match[3]}`);
  } catch {
    return undefined;
  }
}
