import { InvalidArgumentError } from './errors';
import type { LogPosition } from './types';

/** Before every event. */
export const START: LogPosition = 'START';
/** After every event existing at the time of the call (subscriptions only). */
export const END: LogPosition = 'END';

const SQL_POSITION = /^(\d{20}):(\d{20})$/;

/** PostgreSQL/PGlite position: transaction id and global position, zero-padded so that text order is log order. */
export function encodeSqlPosition(txId: string | bigint, globalPosition: string | bigint | number): LogPosition {
  return `${String(txId).padStart(20, '0')}:${String(globalPosition).padStart(20, '0')}`;
}

export function decodeSqlPosition(position: LogPosition): { txId: string; globalPosition: string } {
  if (position === START) return { txId: '0', globalPosition: '0' };
  const match = SQL_POSITION.exec(position);
  if (!match) {
    throw new InvalidArgumentError(
      'INVALID_POSITION',
      `"${position.slice(0, 60)}" is not a log position of this store`,
    );
  }
  return { txId: BigInt(match[1]!).toString(), globalPosition: BigInt(match[2]!).toString() };
}

/** Total order of positions: negative, zero or positive. `START` sorts first, `END` last. */
export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a === b) return 0;
  if (a === START || b === END) return -1;
  if (b === START || a === END) return 1;
  return a < b ? -1 : 1;
}
