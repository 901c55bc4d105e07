/**
 * One throttling budget: at most `limit` units within any `windowMs`. Usage counts what was
 * admitted during the last window; capacity returns as old charges slide out of it.
 */
export class SlidingWindow {
  private readonly times: number[] = [];
  private readonly amounts: number[] = [];
  private head = 0;
  private total = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  usage(now: number): number {
    this.expire(now);
    return this.total;
  }

  fits(amount: number, now: number): boolean {
    return amount === 0 || this.usage(now) + amount <= this.limit;
  }

  /** How long until `amount` more would fit (0 when it fits now). */
  waitMs(amount: number, now: number): number {
    if (this.fits(amount, now)) return 0;
    let remaining = this.total;
    for (let at = this.head; at < this.times.length; at++) {
      remaining -= this.amounts[at]!;
      if (remaining + amount <= this.limit) return this.times[at]! + this.windowMs - now;
    }
    return this.windowMs;
  }

  add(amount: number, now: number): void {
    if (amount === 0) return;
    this.expire(now);
    this.times.push(now);
    this.amounts.push(amount);
    this.total += amount;
  }

  private expire(now: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= now - this.windowMs) {
      this.total -= this.amounts[this.head]!;
      this.head += 1;
    }
    // Drop the expired prefix now and then so a long benchmark does not grow the arrays forever.
    if (this.head > 4096 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.amounts.splice(0, this.head);
      this.head = 0;
    }
  }
}
