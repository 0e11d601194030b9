/**
 * Finds the audit-log leaves of stream events that the API lists without their event id (a stream's `history` has
 * stream, revision and recordedAt; the proof bundle needs the event id). Leaves are appended in log order, so
 * their `recordedAt` only grows, give or take concurrent commits: a binary search finds where an event's time
 * starts and a short forward scan matches (stream, revision). O(log n) requests per cluster of events, not a
 * scan of the whole log. Free of DOM and React (unit-tested with Jest).
 */

/** One leaf as GET /audit/v1/leaves returns it. */
export interface RawLeaf {
  seq: number;
  eventId: string;
  record: string;
}

export type FetchLeaves = (from: number, count: number) => Promise<readonly RawLeaf[]>;

export interface LeafTarget {
  stream: string;
  revision: number;
  /** ISO instant the event was stored (the history's `recordedAt`). */
  recordedAt: string;
}

export interface FoundLeaf {
  seq: number;
  eventId: string;
}

export const leafKey = (stream: string, revision: number): string => `${stream}@${revision}`;

interface Parsed {
  seq: number;
  eventId: string;
  stream: string;
  revision: number;
  time: number;
}

function parse(leaf: RawLeaf): Parsed {
  const record = JSON.parse(leaf.record) as { stream?: unknown; revision?: unknown; recordedAt?: unknown };
  return {
    seq: leaf.seq,
    eventId: leaf.eventId,
    stream: typeof record.stream === 'string' ? record.stream : '',
    revision: typeof record.revision === 'number' ? record.revision : -1,
    time: typeof record.recordedAt === 'string' ? Date.parse(record.recordedAt) : 0,
  };
}

export interface LookupOptions {
  /** How far a leaf's time may run behind its neighbours' (concurrent commits); default 2 minutes. */
  slackMs?: number;
  /** Leaves per scanned page (the API allows up to 1000). */
  pageSize?: number;
  /** Most scanned pages in all, so a bad guess cannot read the whole log. */
  maxPages?: number;
}

/** The leaf of each target that could be found, by `leafKey`. */
export async function findLeaves(
  targets: readonly LeafTarget[],
  fetchLeaves: FetchLeaves,
  options: LookupOptions = {},
): Promise<Map<string, FoundLeaf>> {
  const slack = options.slackMs ?? 120_000;
  const pageSize = options.pageSize ?? 500;
  const maxPages = options.maxPages ?? 20;
  const found = new Map<string, FoundLeaf>();
  let pending = [...targets]
    .map((target) => ({ key: leafKey(target.stream, target.revision), time: Date.parse(target.recordedAt) }))
    .filter((target) => Number.isFinite(target.time))
    .sort((a, b) => a.time - b.time);
  if (pending.length === 0) return found;

  const at = async (seq: number): Promise<Parsed | undefined> => {
    const [leaf] = await fetchLeaves(seq, 1);
    return leaf ? parse(leaf) : undefined;
  };
  // The log's size: doubling probes, then the binary search below stays within it.
  let size = 1;
  while (await at(size - 1)) size *= 2;
  /** The first leaf stored at or after `time`, by binary search over [0, size). */
  const firstAtOrAfter = async (time: number): Promise<number> => {
    let lo = 0;
    let hi = size;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const leaf = await at(mid);
      if (leaf && leaf.time < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  let pages = 0;
  while (pending.length > 0 && pages < maxPages) {
    let from = await firstAtOrAfter(pending[0]!.time - slack);
    for (;;) {
      const page = (await fetchLeaves(from, pageSize)).map(parse);
      pages += 1;
      if (page.length === 0) return found;
      for (const leaf of page) {
        const key = leafKey(leaf.stream, leaf.revision);
        if (pending.some((target) => target.key === key)) found.set(key, { seq: leaf.seq, eventId: leaf.eventId });
      }
      const last = page[page.length - 1]!;
      from = last.seq + 1;
      // Targets stored well before the last leaf read would have been met by now: they are not in the log.
      pending = pending.filter((target) => !found.has(target.key) && target.time >= last.time - slack);
      if (pending.length === 0 || pages >= maxPages) break;
      // The next target is far ahead: jump there with a new search instead of reading everything between.
      if (pending[0]!.time - slack > last.time + slack) break;
    }
  }
  return found;
}
