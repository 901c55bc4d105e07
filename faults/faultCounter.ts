/** How many faults of each kind the proxies and the rounds really injected, for the table. */
export class FaultCounter {
  private readonly counts = new Map<string, number>();

  add(kind: string, n = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }

  get(kind: string): number {
    return this.counts.get(kind) ?? 0;
  }

  entries(): Array<[string, number]> {
    return [...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  }
}
