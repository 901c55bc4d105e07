/**
 * The Pacer's resource-unit budget: which of Graph's per-tenant budgets (3,500 / 5,000 / 8,000
 * per 10 s for tenants under 50, 50–500 and over 500 users) this tenant has, as far as Graph's
 * answers have shown, and what our requests spent of it.
 *
 * It starts within the smallest, so a small tenant is never overrun while the pacer learns.
 * Graph sends `x-ms-throttle-limit-percentage` from 0.8 of any budget on: an answer without it
 * while we spent U in the last seconds proves the budget is above U / 0.8 (with it, above
 * U / percentage, since the header names the fullest budget). That moves it up. A 429 for
 * resource units moves it down to what was in use, and it stays there.
 *
 * Shared: with a read share source (readBudget.ts), this process spends only its share of that
 * budget, the others of the deployment spending theirs.
 */
import type { ReadShareSource } from './readBudget';
import { SendLog } from './sendLog';

/** The share of the budget we use; Graph's window; how much later than it left a request may be counted. */
const SHARE = 0.95;
export const RESOURCE_UNIT_WINDOW_MS = 10_000;
const MARGIN_MS = 250;
/** Shorter than Graph's window, so that what we count was surely still in Graph's when it answered. */
const LEARNING_WINDOW_MS = 9_000;

export class ResourceUnitBudget {
  private readonly spent = new SendLog(RESOURCE_UNIT_WINDOW_MS + MARGIN_MS);
  /** What Graph said our requests cost, when it answered: the evidence for a bigger budget. */
  private readonly confirmed = new SendLog(LEARNING_WINDOW_MS);
  private readonly budgets: number[];
  private index = 0;
  /** After a 429 for resource units the budget never moves above the one it fell to. */
  private ceilingIndex: number;
  /** Halved by a 429 at the smallest budget (Graph under load), grown back on calm seconds. */
  private factor = 1;

  /**
   * @param budgets per 10 s, any order; those above `ceiling` are left out
   * @param deployment this process's share of the deployment's budget; without one, all of it
   */
  constructor(
    budgets: readonly number[],
    ceiling: number,
    private readonly deployment?: ReadShareSource,
  ) {
    const sorted = [...budgets].sort((a, b) => a - b).filter((budget) => budget <= ceiling);
    this.budgets = sorted.length > 0 ? sorted : [ceiling];
    this.ceilingIndex = this.budgets.length - 1;
  }

  /** The tenant's budget per 10 s as learned so far. */
  get budget(): number {
    return this.budgets[this.index]!;
  }

  /** What the pacer lets itself spend per 10 s. */
  get limit(): number {
    return this.budget * SHARE * this.factor * (this.deployment?.share() ?? 1);
  }

  /** Whole units that may be spent now. */
  room(now: number): number {
    return Math.max(0, Math.floor(this.limit - this.spent.total(this.windowMs, now) + 1e-9));
  }

  /** When `units` more will fit (now or later). */
  fitsAt(units: number, now: number): number {
    return this.spent.fitsAt(Math.min(units, this.limit), this.limit, this.windowMs, now);
  }

  spend(units: number, now: number): void {
    this.spent.add(units, now);
  }

  /** What Graph said a request cost; `estimated` was already spent when it left. */
  confirm(units: number, estimated: number, now: number): void {
    this.confirmed.add(units, now);
    this.spent.add(units - estimated, now);
  }

  /** An answer's header (undefined: none) as evidence of a bigger budget. */
  learn(percentage: number | undefined, now: number): void {
    if (this.index >= this.ceilingIndex) return;
    // The header is floored to hundredths.
    const atLeast =
      this.confirmed.total(LEARNING_WINDOW_MS, now) / (percentage === undefined ? 0.8 : percentage + 0.01);
    while (this.index < this.ceilingIndex && this.budgets[this.index]! * 1.02 < atLeast) this.index++;
  }

  /** A 429 for resource units: down to the largest budget that what we used fits, or half our share of the smallest. */
  cut(now: number): void {
    const used = this.confirmed.total(LEARNING_WINDOW_MS, now);
    let fitting = 0;
    while (fitting + 1 < this.index && this.budgets[fitting + 1]! <= used) fitting++;
    if (fitting < this.index) this.index = fitting;
    else this.factor = Math.max(0.1, this.factor / 2);
    this.ceilingIndex = this.index;
  }

  grow(step: number): void {
    this.factor = Math.min(1, this.factor + step);
  }

  private get windowMs(): number {
    return RESOURCE_UNIT_WINDOW_MS + MARGIN_MS;
  }
}
