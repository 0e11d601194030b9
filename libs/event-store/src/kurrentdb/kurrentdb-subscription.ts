import type { AllStreamResolvedEvent, AllStreamSubscription, CaughtUp, Position } from '@kurrent/kurrentdb-client';
import { comparePositions, END, START } from '../position';
import type { LogPosition, Subscription, SubscriptionMessage } from '../types';
import { encodeKurrentPosition, fromKurrentEvent, mapKurrentError, type ServerFilter } from './kurrentdb-mapping';

/** What a subscription needs from its store. */
export interface KurrentSubscriptionHost {
  assertOpen(): void;
  /** Opens the server subscription (after `after`, exclusive) with the server-side filter. */
  openServerSubscription(
    after: LogPosition,
    filter: ServerFilter,
    onCheckpoint: (position: Position) => void,
  ): AllStreamSubscription;
  /** The position of the last event of the port's log, `START` if none. */
  headPosition(): Promise<LogPosition>;
  /** The position of the last event of the port's log at or before `position`, if any. */
  lastPositionAtOrBefore(position: Position): Promise<LogPosition | undefined>;
}

interface PendingSignal {
  kind: 'caughtUp' | 'checkpoint';
  serverPosition: Position | undefined;
  /** Events still in the stream's buffer that the server sent before this signal: they go out first. */
  before: number;
}

/**
 * A KurrentDB catch-up subscription to `$all` as the port's `Subscription`.
 *
 * The client reports `caughtUp` as an emitter event and filter checkpoints through a callback, both while events
 * sent before them may still sit in the stream's buffer. Each signal therefore records how many buffered events
 * precede it and is handed out only after those, which keeps the port's order. Events are pulled with `read()`, so
 * the stream's own buffer (16 objects) is the bound on memory: a slow consumer slows the server down.
 */
export class KurrentSubscription implements Subscription {
  private stream: AllStreamSubscription | undefined;
  private starting: Promise<void> | undefined;
  private readonly signals: PendingSignal[] = [];
  private failure: Error | undefined;
  private ended = false;
  private closed = false;
  private wake: (() => void) | undefined;
  /** Set by anything that may have made progress possible, also while no consumer waits (see `next`). */
  private signalled = false;
  /** The last position handed out (or the starting point): nothing at or before it goes out again. */
  private lastPosition: LogPosition;

  constructor(
    private readonly host: KurrentSubscriptionHost,
    private readonly options: { after: LogPosition; filter: ServerFilter },
    private readonly onClosed: () => void,
  ) {
    this.lastPosition = options.after;
  }

  [Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.notify();
    this.onClosed();
    const stream = this.stream;
    if (stream) {
      await stream.unsubscribe().catch(() => undefined);
      stream.destroy();
    }
  }

  private notify(): void {
    this.signalled = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async start(): Promise<void> {
    if (this.options.after === END) {
      // Read before the server subscription starts, so it is at or before the point the server starts from.
      this.lastPosition = await this.host.headPosition();
    }
    if (this.closed) return;
    const stream = this.host.openServerSubscription(this.options.after, this.options.filter, (position) => {
      this.signals.push({ kind: 'checkpoint', serverPosition: position, before: stream.readableLength });
      this.notify();
    });
    stream.on('caughtUp', (info: CaughtUp) => {
      this.signals.push({ kind: 'caughtUp', serverPosition: info.position, before: stream.readableLength });
      this.notify();
    });
    stream.on('readable', () => this.notify());
    stream.on('end', () => {
      this.ended = true;
      this.notify();
    });
    stream.on('error', (error: Error) => {
      if (this.closed) return this.notify();
      const mapped = mapKurrentError(error);
      this.failure = mapped instanceof Error ? mapped : error;
      this.notify();
    });
    this.stream = stream;
  }

  private async next(): Promise<IteratorResult<SubscriptionMessage>> {
    for (;;) {
      // A 'readable' or a signal emitted while `read()` runs below (it may transform the next message at once)
      // finds no waiter; the flag makes the loop look again instead of waiting for an event that already fired.
      this.signalled = false;
      if (this.closed) return { done: true, value: undefined };
      this.host.assertOpen();
      this.starting ??= this.start();
      await this.starting;
      const stream = this.stream;
      if (!stream || this.closed) return { done: true, value: undefined };
      if (this.failure !== undefined) throw this.failure;

      const signal = this.signals[0];
      if (signal && signal.before <= 0) {
        this.signals.shift();
        const message = await this.signalMessage(signal);
        if (message) return { done: false, value: message };
        continue;
      }
      const resolved = stream.read() as AllStreamResolvedEvent | null;
      if (resolved !== null) {
        for (const pending of this.signals) pending.before--;
        const recorded = resolved.event ? fromKurrentEvent(resolved.event) : undefined;
        if (!recorded || !this.options.filter.accepts(recorded)) continue;
        if (this.lastPosition !== START && comparePositions(recorded.position, this.lastPosition) <= 0) continue;
        this.lastPosition = recorded.position;
        return { done: false, value: { kind: 'event', event: recorded } };
      }
      if (this.ended) return { done: true, value: undefined };
      if (this.signalled) continue;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** The port's signal for a server signal, or nothing when it would not move past what was handed out. */
  private async signalMessage(signal: PendingSignal): Promise<SubscriptionMessage | undefined> {
    if (signal.kind === 'checkpoint') {
      if (!signal.serverPosition) return undefined;
      const position = encodeKurrentPosition(signal.serverPosition);
      if (this.lastPosition !== START && comparePositions(position, this.lastPosition) <= 0) return undefined;
      this.lastPosition = position;
      return { kind: 'checkpoint', position };
    }
    // Caught up: the port reports the head of its own log, not the server's position (which counts system events).
    // Only events the server had scanned may be covered, or a checkpoint saved from the signal would skip the
    // events sent after it.
    let position = this.lastPosition;
    if (signal.serverPosition) {
      const head = await this.host.headPosition();
      const serverPosition = encodeKurrentPosition(signal.serverPosition);
      const covered =
        head === START || comparePositions(head, serverPosition) <= 0
          ? head
          : await this.host.lastPositionAtOrBefore(signal.serverPosition);
      if (covered && covered !== START && (position === START || comparePositions(covered, position) > 0)) {
        position = covered;
      }
    }
    this.lastPosition = position;
    return { kind: 'caughtUp', position };
  }
}
