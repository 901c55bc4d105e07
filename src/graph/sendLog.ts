/**
 * Amounts charged and when, kept for a fixed span: the Pacer's memory of the resource units it
 * spent. Graph counts its budgets over sliding windows, so a client that wants to stay within one
 * counts the same way (a token bucket lets a full burst follow a quiet spell on top of the rate).
 */
export class SendLog {
  private readonly times: number[] = [];
  private readonly amounts: number[] = [];
  private head = 0;

  /** @param keepMs the longest window any caller asks about */
  constructor(private readonly keepMs: number) {}

  add(amount: number, at: number): void {
    if (amount <= 0) return;
    this.times.push(at);
    this.amounts.push(amount);
  }

  /** The amount sent within the last `windowMs` (at most `keepMs`) before `now`. */
  total(windowMs: number, now: number): number {
    this.prune(now);
    let sum = 0;
    for (let at = this.times.length - 1; at >= this.head && this.times[at]! > now - windowMs; at--)
      sum += this.amounts[at]!;
    return sum;
  }

  /** The first moment from `now` on when `amount` more keeps the last `windowMs` within `limit`. */
  fitsAt(amount: number, limit: number, windowMs: number, now: number): number {
    let used = this.total(windowMs, now);
    if (used + amount <= limit) return now;
    // Entries leave the window oldest first: find the one whose departure makes room.
    let first = this.times.length;
    while (first > this.head && this.times[first - 1]! > now - windowMs) first--;
    for (let at = first; at < this.times.length; at++) {
      used -= this.amounts[at]!;
      if (used + amount <= limit) return this.times[at]! + windowMs;
    }
    return now + windowMs;
  }

  private prune(now: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= now - this.keepMs) this.head++;
    // Drop the expired prefix now and then so a long run does not grow the arrays forever.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.amounts.splice(0, this.head);
      this.head = 0;
    }
  }
}
