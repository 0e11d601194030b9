/**
 * Small helpers for the event-store conformance suite: timeouts that fail instead of hanging, collecting async
 * iterables, building events, and a probe that pulls messages from a subscription one at a time.
 */
import { randomUUID } from 'node:crypto';
import { EventStoreError, InvalidArgumentError } from '../errors';
import type { JsonObject, NewEvent, RecordedEvent, Subscription, SubscriptionMessage } from '../types';

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Settles like `promise`, or rejects with a `TimeoutError` naming `what` after `ms`. The timer is always cleared. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Collects an async iterable into an array, failing after `ms` instead of hanging. */
export function toArray<T>(
  iterable: AsyncIterable<T>,
  ms = 30_000,
  what = 'an async iterable to finish',
): Promise<T[]> {
  const run = async (): Promise<T[]> => {
    const out: T[] = [];
    for await (const item of iterable) out.push(item);
    return out;
  };
  return withTimeout(run(), ms, what);
}

/** Polls `condition` until it returns a truthy value, or fails after `ms`. */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  ms: number,
  what: string,
  intervalMs = 10,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new TimeoutError(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A stream name of the given category that no other case uses. */
export function streamName(category = 'conf'): string {
  return `${category}-${randomUUID()}`;
}

export type TestEvent = NewEvent & { id: string };

export function newEvent(type = 'TestEvent', data: JsonObject = {}, extra: Partial<NewEvent> = {}): TestEvent {
  return { id: randomUUID(), type, data, ...extra };
}

/** `count` events `{ n: i }` of `type`. */
export function newEvents(
  count: number,
  type = 'TestEvent',
  data: (i: number) => JsonObject = (i) => ({ n: i }),
): TestEvent[] {
  return Array.from({ length: count }, (_, i) => newEvent(type, data(i)));
}

/** A UUID derived from a seed UUID and an index, so a rerun produces the same ids. */
export function indexedUuid(seed: string, index: number): string {
  return `${seed.slice(0, 24)}${index.toString(16).padStart(12, '0')}`;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' || typeof code === 'number' ? ` [${code}]` : ''}: ${error.message}`;
  }
  return String(error);
}

type Class<E> = abstract new (...args: never[]) => E;

/**
 * Runs `action` (a function, so a synchronous throw counts too) and returns the error it rejects with, failing
 * unless it is an instance of `errorClass`.
 */
export async function rejectsWith<E extends Error>(action: () => unknown, errorClass: Class<E>, what = ''): Promise<E> {
  let result: unknown;
  try {
    result = await action();
  } catch (error) {
    if (error instanceof errorClass) return error;
    throw new Error(`${what ? `${what}: ` : ''}expected ${errorClass.name}, got ${describeError(error)}`, {
      cause: error,
    });
  }
  throw new Error(
    `${what ? `${what}: ` : ''}expected ${errorClass.name}, but it succeeded with ${safeJson(result).slice(0, 300)}`,
  );
}

/** Asserts that `action` rejects with an `InvalidArgumentError` whose code is one of `codes` and whose message matches `mentions`. */
export async function rejectsInvalid(
  action: () => unknown,
  codes: string | string[],
  mentions: RegExp,
  what: string,
): Promise<InvalidArgumentError> {
  const error = await rejectsWith(action, InvalidArgumentError, what);
  const allowed = Array.isArray(codes) ? codes : [codes];
  if (typeof error.code !== 'string' || error.code.length === 0) {
    throw new Error(`${what}: InvalidArgumentError without a code: ${describeError(error)}`);
  }
  if (!allowed.includes(error.code)) {
    throw new Error(`${what}: expected code ${allowed.join(' or ')}, got ${describeError(error)}`);
  }
  if (!mentions.test(error.message)) {
    throw new Error(`${what}: the message should name the problem (${String(mentions)}): ${describeError(error)}`);
  }
  return error;
}

export function isEventStoreError(error: unknown): error is EventStoreError {
  return error instanceof EventStoreError;
}

export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

export type EventMessage = Extract<SubscriptionMessage, { kind: 'event' }>;
export type SignalMessage = Exclude<SubscriptionMessage, { kind: 'event' }>;

/**
 * Pulls messages from a subscription one at a time with a timeout, so a subscription that stops delivering fails
 * the case instead of hanging it. A `next()` that timed out stays pending and is reused by the following call.
 */
export class SubscriptionProbe {
  readonly messages: SubscriptionMessage[] = [];
  done = false;
  private readonly iterator: AsyncIterator<SubscriptionMessage>;
  private pending: Promise<IteratorResult<SubscriptionMessage>> | undefined;

  constructor(readonly subscription: Subscription) {
    this.iterator = subscription[Symbol.asyncIterator]();
  }

  get events(): RecordedEvent[] {
    return this.messages.filter((m): m is EventMessage => m.kind === 'event').map((m) => m.event);
  }

  /** The next message, or `undefined` when the subscription ended. */
  async next(ms = 10_000): Promise<SubscriptionMessage | undefined> {
    if (this.done) return undefined;
    this.pending ??= this.iterator.next();
    let result: IteratorResult<SubscriptionMessage>;
    try {
      result = await withTimeout(this.pending, ms, 'the next subscription message');
    } catch (error) {
      if (!(error instanceof TimeoutError)) this.pending = undefined;
      throw error;
    }
    this.pending = undefined;
    if (result.done) {
      this.done = true;
      return undefined;
    }
    this.messages.push(result.value);
    return result.value;
  }

  /** Reads until a `caughtUp` signal; returns the events and signals read on the way (the signal last). */
  async untilCaughtUp(ms = 15_000): Promise<{ events: RecordedEvent[]; signals: SignalMessage[]; position: string }> {
    const deadline = Date.now() + ms;
    const events: RecordedEvent[] = [];
    const signals: SignalMessage[] = [];
    for (;;) {
      const message = await this.next(Math.max(1, deadline - Date.now()));
      if (!message) throw new Error('the subscription ended before it caught up');
      if (message.kind === 'event') events.push(message.event);
      else signals.push(message);
      if (message.kind === 'caughtUp') return { events, signals, position: message.position };
    }
  }

  /** Reads until `count` events arrived (signals are recorded and skipped). */
  async takeEvents(count: number, ms = 15_000): Promise<RecordedEvent[]> {
    const deadline = Date.now() + ms;
    const events: RecordedEvent[] = [];
    while (events.length < count) {
      let message: SubscriptionMessage | undefined;
      try {
        message = await this.next(Math.max(1, deadline - Date.now()));
      } catch (error) {
        if (error instanceof TimeoutError) {
          throw new TimeoutError(`received only ${events.length} of ${count} events within ${ms} ms`);
        }
        throw error;
      }
      if (!message) throw new Error(`the subscription ended after ${events.length} of ${count} events`);
      if (message.kind === 'event') events.push(message.event);
    }
    return events;
  }

  /** Reads until a message satisfies `predicate`; returns it. */
  async until(
    predicate: (m: SubscriptionMessage) => boolean,
    ms = 15_000,
    what = 'a matching message',
  ): Promise<SubscriptionMessage> {
    const deadline = Date.now() + ms;
    for (;;) {
      let message: SubscriptionMessage | undefined;
      try {
        message = await this.next(Math.max(1, deadline - Date.now()));
      } catch (error) {
        if (error instanceof TimeoutError) throw new TimeoutError(`timed out after ${ms} ms waiting for ${what}`);
        throw error;
      }
      if (!message) throw new Error(`the subscription ended before ${what}`);
      if (predicate(message)) return message;
    }
  }

  /** Fails if an event arrives within `ms` (signals are allowed and recorded). */
  async expectNoEvent(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      let message: SubscriptionMessage | undefined;
      try {
        message = await this.next(left);
      } catch (error) {
        if (error instanceof TimeoutError) return;
        throw error;
      }
      if (!message) return;
      if (message.kind === 'event') {
        throw new Error(
          `expected no event, got ${message.event.streamName}@${message.event.revision} (${message.event.position})`,
        );
      }
    }
  }

  /** Closes the subscription; a pending `next()` must then finish promptly. */
  async close(ms = 5_000): Promise<void> {
    await withTimeout(this.subscription.close(), ms, 'subscription.close()');
    if (this.pending) {
      const pending = this.pending;
      this.pending = undefined;
      const result = await withTimeout(pending, ms, 'a pending next() to finish after close()').catch(
        (error: unknown) => {
          if (error instanceof TimeoutError) throw error;
          return { done: true, value: undefined } as IteratorResult<SubscriptionMessage>;
        },
      );
      if (!result.done) this.messages.push(result.value);
    }
  }
}

/** Opens a process heap probe; `gc()` is available when V8 lets us expose it. */
export function exposeGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const v8 = require('node:v8') as typeof import('node:v8');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const vm = require('node:vm') as typeof import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
