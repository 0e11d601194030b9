import type { Response } from 'express';
import { ApiError } from '@muskel/http';

/** `If-Match: "<revision>"` → the stream revision the client last saw (undefined: unconditional). */
export function expectedRevision(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '') return undefined;
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(ifMatch.trim());
  if (!match) throw new ApiError(400, 'INVALID_IF_MATCH', 'If-Match must be the ETag of the resource, e.g. "3".');
  return Number(match[1]);
}

/** What every state-changing call answers: the stream's new revision (also the ETag) and the log position. */
export interface ChangeResult {
  revision: number;
  /** Pass as `minPosition` to a query to read your own write. */
  position: string;
  /** The events written, in order; the audit interceptor turns them into `audit.leaves` (their leaf indexes). */
  eventIds: string[];
}

export function respondChanged(response: Response, result: ChangeResult): ChangeResult {
  response.setHeader('ETag', `"${result.revision}"`);
  return { revision: result.revision, position: result.position, eventIds: result.eventIds };
}
