/// <reference types="jest" />
/**
 * Finding the leaves of stream events by (stream, revision) with few requests: a fake log of 5,000 leaves, one
 * a second, answers GET /audit/v1/leaves; the lookup must find the right leaves, say nothing of events the log
 * does not hold, and read a small part of the log only.
 */
import { findLeaves, leafKey, type RawLeaf } from './leaf-lookup';

const START = Date.parse('2026-11-01T00:00:00Z');
const LOG: RawLeaf[] = Array.from({ length: 5000 }, (_, seq) => ({
  seq,
  eventId: `event-${seq}`,
  record: JSON.stringify({
    seq,
    stream: `proposal-${seq % 97}`,
    revision: Math.floor(seq / 97),
    recordedAt: new Date(START + seq * 1000).toISOString(),
  }),
}));

function fakeLog() {
  const calls: { from: number; count: number }[] = [];
  const fetchLeaves = (from: number, count: number) => {
    calls.push({ from, count });
    return Promise.resolve(LOG.slice(from, from + Math.min(count, 1000)));
  };
  return { calls, fetchLeaves, read: () => calls.reduce((sum, c) => sum + Math.min(c.count, 5000), 0) };
}

const target = (seq: number) => ({
  stream: `proposal-${seq % 97}`,
  revision: Math.floor(seq / 97),
  recordedAt: new Date(START + seq * 1000).toISOString(),
});

describe('findLeaves', () => {
  it('finds events far apart in the log, reading only a small part of it', async () => {
    const log = fakeLog();
    const found = await findLeaves([target(4321), target(17), target(2500)], log.fetchLeaves);
    expect(found.get(leafKey('proposal-17', 0))).toEqual({ seq: 17, eventId: 'event-17' });
    expect(found.get(leafKey(`proposal-${2500 % 97}`, Math.floor(2500 / 97)))).toEqual({
      seq: 2500,
      eventId: 'event-2500',
    });
    expect(found.get(leafKey(`proposal-${4321 % 97}`, Math.floor(4321 / 97)))?.seq).toBe(4321);
    expect(found.size).toBe(3);
    expect(log.read()).toBeLessThan(2500);
  });

  it('finds nothing for an event the log does not hold, and stops', async () => {
    const log = fakeLog();
    const absent = { stream: 'household-x', revision: 0, recordedAt: new Date(START + 3000_000).toISOString() };
    const found = await findLeaves([absent], log.fetchLeaves);
    expect(found.size).toBe(0);
    expect(log.calls.length).toBeLessThan(60);
  });

  it('tolerates leaves stored slightly out of time order', async () => {
    const shuffled = LOG.slice(0, 100).map((leaf, i) =>
      i === 50
        ? {
            ...leaf,
            record: leaf.record.replace(
              /"recordedAt":"[^"]+"/,
              `"recordedAt":"${new Date(START + 10_000).toISOString()}"`,
            ),
          }
        : leaf,
    );
    const found = await findLeaves(
      [{ ...target(50), recordedAt: new Date(START + 10_000).toISOString() }],
      (from, count) => Promise.resolve(shuffled.slice(from, from + count)),
    );
    expect(found.get(leafKey('proposal-50', 0))?.seq).toBe(50);
  });
});
