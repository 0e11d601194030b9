import { MAX_AUDIT_WAIT_SECONDS, preferredWait } from './audit-leaves.interceptor';

describe('Prefer: wait (RFC 7240)', () => {
  it.each([
    [undefined, 0],
    ['wait=3', 3],
    ['respond-async, wait=2', 2],
    ['wait="4"', 4],
    ['WAIT = 1', 1],
    ['wait=3; foo=bar', 3],
    [['return=minimal', 'wait=2'], 2],
    ['wait=999999', MAX_AUDIT_WAIT_SECONDS],
    ['wait=soon', 0],
    ['wait=-1', 0],
    ['handling=lenient', 0],
  ])('%j -> %d seconds', (header, seconds) => {
    expect(preferredWait(header)).toBe(seconds);
  });
});
