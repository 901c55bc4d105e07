/**
 * Where the Pacer's write places come from when several processes write for one app.
 *
 * Graph's write ceiling (3,000 per 150 s per app per tenant) is one budget for every writer of a
 * deployment: each queue-function instance, the HTTP resync, an operator's CLI. Without a source
 * the Pacer holds the whole ceiling in-process (one writer); with one, it writes only while the
 * source says this process holds the deployment's write turn, and it first counts the writes the
 * previous holder may still have counting at Graph. The Pacer keeps pacing within the turn as
 * it always has (at most N writes within any second, each counted until answered), so the
 * ceiling holds across turns and processes. The shared source is `src/state/sharedWriteBudget.ts`;
 * the mechanism and its cost are argued in docs/performance.md ("One write budget for the whole
 * deployment").
 */

/** Writes that may still count at Graph until `countedUntil` (this process's `Date.now()` time). */
export interface CountedWrites {
  count: number;
  countedUntil: number;
}

/** A place of the holder's write window held for another process's write (a loan to a resync). */
export interface ReservedPlace {
  /** When the place is free: the loan may be offered from then (this process's time). */
  freeAt: number;
  /** The place counts until `countedUntil` (this process's time); until settled, indefinitely. */
  settle(countedUntil: number): void;
}

export interface WriteBudgetSource {
  /**
   * How many writes this process may take now (never waits): any number within its turn
   * (`Infinity`), a lent place's one, or none.
   */
  writesAllowed(now: number): number;
  /** `count` writes were taken now (they use up a lent place). */
  took(count: number, now: number): void;
  /**
   * Whether writes taken within the turn may still leave now, after their guards: false once the
   * turn's term has ended without a renewal (another process may take it as lapsed).
   */
  mayLeave(now: number): boolean;
  /**
   * Waits until this process may send writes. Rejects with a transient AppError when the wait
   * passes the source's bound, so that a job gives its queue message back in time.
   */
  acquire(): Promise<void>;
  /**
   * This process has writes to send until `until` (it may be waiting out its own pace within the
   * turn, gathering a batch); each call replaces the last, so a batch taken now ends a gather's
   * want at now. The source hands the turn back only once no write has been wanted for a while.
   */
  wanted(until: number): void;
  /** The previous holder's writes still counting at Graph, handed over once after a turn is taken. */
  takeInherited(): CountedWrites[];
  /**
   * Tells the source how to read this process's writes still counting, for the next holder: null
   * while a write taken has not left yet, or its answer may still come (the source waits for
   * them before handing the turn on).
   */
  attach(stillCounting: (now: number) => CountedWrites[] | null): void;
  /**
   * Tells the source how to hold the next free place of this process's window for a loan
   * another process asked for: this process's own writes take the places after it.
   */
  attachLender(reserve: (now: number) => ReservedPlace): void;
}
