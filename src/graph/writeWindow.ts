/**
 * The writes the Pacer let leave, and until when each may still count at Graph.
 *
 * Graph counts a write when it admits it, somewhere between our send and its answer. Counting
 * from the send alone trusts every request to arrive as fast as the last: on a loaded machine two
 * batches sent 1.03 s apart reached the simulator within one second (35 writes in it). Counting
 * until the answer trusts nothing, but pays the whole round trip on every turn of the window:
 * 20 writes per 1 s + 35 ms, and a 5-s span of 80 writes every 20 s.
 *
 * So a write counts from its send until Graph answered it, less half the fastest recent round
 * trip of a request carrying writes: a round trip is two journeys, and the answer's journey back
 * (after Graph counted the write) takes at least about half of the fastest one. The journey there
 * is not trusted: on a loaded machine the time from our send to Graph's admission swung by 30 ms
 * between two batches of equal round trips, and subtracting the whole fastest round trip let 28
 * writes into one second (test/graph/graphDirectory.pacing.test.ts). A request held up on the way
 * (a starved simulator, a slow path) shows in its own round trip and counts that much longer. An
 * answer that does not come counts for at most `answerBoundMs` after the send: past that, a slow
 * answer says more about Graph's work on the write than about when it was counted.
 */
export interface WriteTicket {
  /** When the writes left: when their place was free, moved to when they really left (`left`). */
  sentAt: number;
  /** When the writes were taken: their guards run from here until they leave. */
  takenAt?: number;
  /** False from the take until the writes really leave (after their guards). */
  hasLeft: boolean;
  readonly count: number;
  answeredAt: number | null;
  /** Another process's writes (a shared budget's previous holder): they count until `answeredAt`, as handed over. */
  inherited?: boolean;
}

/** Until a reserved place is settled it counts as if for ever (a finite time, so that sums and sleeps stay numbers). */
const UNSETTLED = Number.MAX_SAFE_INTEGER / 2;
/** Entries this old are of no window's concern (the longest write window is 1 / minimum rate). */
const KEEP_MS = 60_000;
/** Round trips the floor is the fastest of: a few seconds of full-rate writing. */
const ROUND_TRIPS_KEPT = 32;
/**
 * Round trips known before the travel back is trusted. Half of one round trip is no floor: a
 * process's first batch on a loaded machine took 116 ms to reach the simulator and 40 ms back,
 * half its round trip let its next batch leave 993 ms after it but reach Graph 998 ms after it
 * (20 writes within a second at a ceiling of 10, in `test/state/sharedWriteBudget.test.ts`).
 * The fastest of several is one whose journey there was quick.
 */
const ROUND_TRIPS_TRUSTED = 5;
/** Guard times the lead is the longest of. */
const GUARDS_KEPT = 8;
/** A write is taken at most this long before its place frees: its guard's verdict is no older when it leaves. */
const MAX_LEAD_MS = 250;

export class WriteWindow {
  private entries: WriteTicket[] = [];
  private roundTrips: number[] = [];
  private guardTimes: number[] = [];

  constructor(private readonly answerBoundMs: number) {}

  /** A request carrying writes took `ms` from leaving to its answer (a failure without an answer is no round trip). */
  roundTrip(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.roundTrips.push(ms);
    if (this.roundTrips.length > ROUND_TRIPS_KEPT) this.roundTrips.shift();
  }

  /**
   * How long an answer surely travelled back after Graph counted its writes: half the fastest
   * recent round trip, once there are a few; until then nothing.
   */
  private travelBack(): number {
    if (this.roundTrips.length < ROUND_TRIPS_TRUSTED) return 0;
    return Math.min(...this.roundTrips) / 2;
  }

  /**
   * Records `count` writes taken now that may leave from `leavesAt` (now, or within `leadMs()`);
   * `left(ticket)` when they really leave, `answered(ticket)` when Graph's answer is in.
   */
  take(count: number, now: number, leavesAt = now): WriteTicket {
    const ticket: WriteTicket = {
      sentAt: Math.max(now, leavesAt),
      takenAt: now,
      hasLeft: false,
      count,
      answeredAt: null,
    };
    if (count > 0) this.entries.push(ticket);
    return ticket;
  }

  /**
   * How long before their places free writes are taken. Between the take and the send each
   * write's guard reads its ledger row (tens of ms, hundreds on a loaded machine); taken only
   * when the place was free, that read came on top of every turn of the window (20 writes per
   * 1 s + the guards). Taken this much earlier, the guards run while the window turns, and the
   * writes wait for their place after them. The longest recent guard time, at most 250 ms.
   */
  leadMs(): number {
    return Math.min(MAX_LEAD_MS, Math.max(0, ...this.guardTimes));
  }

  /**
   * The writes really left now: a write taken may first wait for its guard (a storage read, which
   * took hundreds of ms on a loaded machine), and counted from when it was taken it would stop
   * counting before Graph even saw it.
   */
  left(ticket: WriteTicket, now: number): void {
    if (ticket.answeredAt === null) ticket.sentAt = Math.max(ticket.sentAt, now);
    ticket.hasLeft = true;
  }

  /** The guards of writes taken at `ticket.takenAt` gave their verdicts now (before the writes wait for their place). */
  guarded(ticket: WriteTicket, now: number): void {
    if (ticket.count === 0 || ticket.takenAt === undefined) return;
    this.guardTimes.push(Math.max(0, now - ticket.takenAt));
    if (this.guardTimes.length > GUARDS_KEPT) this.guardTimes.shift();
  }

  answered(ticket: WriteTicket, now: number): void {
    if (ticket.answeredAt === null) ticket.answeredAt = now;
  }

  /**
   * Writes another process sent that may still count at Graph until `countedUntil` (a shared
   * budget's previous holder): this window counts them as if they were its own.
   */
  inherit(count: number, countedUntil: number): void {
    if (count > 0)
      this.entries.push({
        sentAt: countedUntil - this.answerBoundMs,
        hasLeft: true,
        count,
        answeredAt: countedUntil,
        inherited: true,
      });
  }

  /**
   * Holds the place free at `freeAt` (now or later) for another process's write (a loan of a
   * shared budget's holder): taken now, as a write is, so that later writes take the places after
   * it; it counts until settled, then until the time settled.
   */
  reserve(now: number, freeAt: number): { freeAt: number; settle(countedUntil: number): void } {
    const entry: WriteTicket = {
      sentAt: Math.max(now, freeAt),
      hasLeft: true,
      count: 1,
      answeredAt: UNSETTLED,
      inherited: true,
    };
    this.entries.push(entry);
    return {
      freeAt: entry.sentAt,
      settle: (countedUntil) => {
        entry.answeredAt = countedUntil;
      },
    };
  }

  /**
   * The writes that still count within a window of `windowMs` ending now, for the next holder of a
   * shared budget; null while some taken write has not left yet, or has left and its answer may
   * still come within the bound: until then it would be handed on as counting for the whole bound
   * (a hand-over with a batch in flight cost the next holder 250 ms, 5 writes).
   */
  stillCounting(windowMs: number, now: number): Array<{ count: number; countedUntil: number }> | null {
    this.prune(now);
    if (this.awaitsAnswers(now)) return null;
    // Our own writes count until Graph surely counted them, as for our next write: when Graph
    // counted a write depends on its journey back to us, whichever process writes next.
    return this.entries
      .map((entry) => ({ count: entry.count, countedUntil: this.countedUntil(entry, now) }))
      .filter(({ countedUntil }) => countedUntil > now - windowMs);
  }

  /** Writes that may still count within a window of `windowMs` ending now. */
  inWindow(windowMs: number, now: number): number {
    this.prune(now);
    let sum = 0;
    for (const entry of this.entries) if (this.countedUntil(entry, now) > now - windowMs) sum += entry.count;
    return sum;
  }

  /** When `count` more fit within `limit` per `windowMs` (an estimate while answers are outstanding). */
  fitsAt(count: number, limit: number, windowMs: number, now: number): number {
    return this.fitTimes(count, limit, windowMs, now)[count - 1]!;
  }

  /** `fitsAt` for 1, 2, … `upTo` writes at once (index k − 1 for k writes), from one pass over the window. */
  fitTimes(upTo: number, limit: number, windowMs: number, now: number): number[] {
    let used = this.inWindow(windowMs, now);
    const ends = this.entries
      .map((entry) => ({ end: this.countedUntil(entry, now), count: entry.count }))
      .filter(({ end }) => end > now - windowMs)
      .sort((a, b) => a.end - b.end);
    const times: number[] = [];
    let at = now;
    let next = 0;
    for (let count = 1; count <= upTo; count++) {
      // Places free in the order their writes stop counting: the more wanted, the later they fit.
      while (used + count > limit && next < ends.length) {
        used -= ends[next]!.count;
        at = ends[next]!.end + windowMs;
        next++;
      }
      times.push(used + count <= limit ? at : now + windowMs);
    }
    return times;
  }

  /**
   * Some write has not left yet or is unanswered within its bound: its leaving or its answer may
   * free a place earlier than `fitsAt` said.
   */
  awaitsAnswers(now: number): boolean {
    return this.entries.some(
      (entry) => entry.answeredAt === null && (!entry.hasLeft || entry.sentAt + this.answerBoundMs > now),
    );
  }

  private countedUntil(entry: WriteTicket, now: number): number {
    // Taken but not left yet (its guards still read storage): it may leave at any moment and
    // count from then. Counted only from when its place was free, a write whose guards took
    // seconds left beside a later batch: 40 writes within 9 ms at Graph.
    if (!entry.hasLeft && entry.answeredAt === null) return Math.max(entry.sentAt, now) + this.answerBoundMs;
    const bound = entry.sentAt + this.answerBoundMs;
    if (entry.answeredAt === null) return bound;
    // Another process's writes (and a place lent to one) come with their end already reckoned.
    if (entry.inherited) return entry.answeredAt;
    return Math.min(Math.max(entry.sentAt, entry.answeredAt - this.travelBack()), bound);
  }

  private prune(now: number): void {
    if (this.entries.length > 64 && this.countedUntil(this.entries[0]!, now) <= now - KEEP_MS) {
      this.entries = this.entries.filter((entry) => this.countedUntil(entry, now) > now - KEEP_MS);
    }
  }
}
