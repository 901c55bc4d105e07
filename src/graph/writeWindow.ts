/**
 * The writes the Pacer let leave, and until when each may still count at Graph.
 *
 * Graph counts a write when it admits it, somewhere between our send and its answer. Counting
 * from the send alone trusts every request to arrive as fast as the last: on a loaded machine two
 * batches sent 1.03 s apart reached the simulator within one second (35 writes in it). So a write
 * counts from its send until Graph has answered it, but for at most `answerBoundMs` after the
 * send: past that, a slow answer says more about Graph's work on the write than about when it
 * was counted, and waiting for it would cost the whole pace.
 */
export interface WriteTicket {
  /** When the writes left: when taken, moved to when they really left (`left`). */
  sentAt: number;
  /** False from the take until the writes really leave (after their guards). */
  hasLeft: boolean;
  readonly count: number;
  answeredAt: number | null;
}

/** Entries this old are of no window's concern (the longest write window is 1 / minimum rate). */
const KEEP_MS = 60_000;

export class WriteWindow {
  private entries: WriteTicket[] = [];

  constructor(private readonly answerBoundMs: number) {}

  /** Records `count` writes leaving now; `answered(ticket)` when Graph's answer is in. */
  take(count: number, now: number): WriteTicket {
    const ticket: WriteTicket = { sentAt: now, hasLeft: false, count, answeredAt: null };
    if (count > 0) this.entries.push(ticket);
    return ticket;
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

  answered(ticket: WriteTicket, now: number): void {
    if (ticket.answeredAt === null) ticket.answeredAt = now;
  }

  /**
   * Writes another process sent that may still count at Graph until `countedUntil` (a shared
   * budget's previous holder): this window counts them as if they were its own.
   */
  inherit(count: number, countedUntil: number): void {
    if (count > 0)
      this.entries.push({ sentAt: countedUntil - this.answerBoundMs, hasLeft: true, count, answeredAt: countedUntil });
  }

  /**
   * The writes that still count within a window of `windowMs` ending now, for the next holder of a
   * shared budget; null while some taken write has not left yet (when it will count is not known).
   */
  stillCounting(windowMs: number, now: number): Array<{ count: number; countedUntil: number }> | null {
    this.prune(now);
    if (this.entries.some((entry) => !entry.hasLeft && entry.answeredAt === null)) return null;
    return this.entries
      .map((entry) => ({ count: entry.count, countedUntil: this.countedUntil(entry) }))
      .filter(({ countedUntil }) => countedUntil > now - windowMs);
  }

  /** Writes that may still count within a window of `windowMs` ending now. */
  inWindow(windowMs: number, now: number): number {
    this.prune(now);
    let sum = 0;
    for (const entry of this.entries) if (this.countedUntil(entry) > now - windowMs) sum += entry.count;
    return sum;
  }

  /** When `count` more fit within `limit` per `windowMs` (an estimate while answers are outstanding). */
  fitsAt(count: number, limit: number, windowMs: number, now: number): number {
    let used = this.inWindow(windowMs, now);
    if (used + count <= limit) return now;
    const ends = this.entries
      .map((entry) => ({ end: this.countedUntil(entry), count: entry.count }))
      .filter(({ end }) => end > now - windowMs)
      .sort((a, b) => a.end - b.end);
    for (const { end, count: leaving } of ends) {
      used -= leaving;
      if (used + count <= limit) return end + windowMs;
    }
    return now + windowMs;
  }

  /** Some write is still unanswered within its bound: an answer may free a place earlier than `fitsAt` said. */
  awaitsAnswers(now: number): boolean {
    return this.entries.some((entry) => entry.answeredAt === null && entry.sentAt + this.answerBoundMs > now);
  }

  private countedUntil(entry: WriteTicket): number {
    const bound = entry.sentAt + this.answerBoundMs;
    return entry.answeredAt === null ? bound : Math.min(entry.answeredAt, bound);
  }

  private prune(now: number): void {
    if (this.entries.length > 64 && this.countedUntil(this.entries[0]!) <= now - KEEP_MS) {
      this.entries = this.entries.filter((entry) => this.countedUntil(entry) > now - KEEP_MS);
    }
  }
}
