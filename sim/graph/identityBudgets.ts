/**
 * Graph's identity-and-access throttling for one app in one large tenant (over 500 users):
 * 8,000 resource units per 10 s and 3,000 writes per 150 s per app+tenant, 18,000 writes per
 * 5 min per tenant. `windowScale` shortens each window and its limit alike (rates unchanged),
 * so tests and benchmarks reach the same behaviour in less time.
 */
import { SlidingWindow } from './slidingWindow';

export interface RequestCost {
  resourceUnits: number;
  writes: number;
}

export type Admission =
  | { admitted: true }
  | { admitted: false; retryAfterSeconds: number; usage: number; information: 'ResourceUnitLimitExceeded' | 'WriteLimitExceeded'; scope: string };

interface Budget {
  window: SlidingWindow;
  measures: keyof RequestCost;
  scope: string;
  information: 'ResourceUnitLimitExceeded' | 'WriteLimitExceeded';
}

const APP_ID = '00000000-5111-4000-8000-00000000a99e';
const TENANT_ID = '00000000-5111-4000-8000-0000000c0de0';

export class IdentityBudgets {
  private readonly budgets: Budget[];

  constructor(windowScale: number) {
    if (!(windowScale > 0)) throw new Error(`throttling.windowScale must be a positive number, got ${windowScale}.`);
    const scaled = (limit: number, windowMs: number): SlidingWindow =>
      new SlidingWindow(Math.max(1, Math.round(limit * windowScale)), windowMs * windowScale);
    this.budgets = [
      { window: scaled(8_000, 10_000), measures: 'resourceUnits', scope: `Tenant_Application/ReadWrite/${APP_ID}/${TENANT_ID}`, information: 'ResourceUnitLimitExceeded' },
      { window: scaled(3_000, 150_000), measures: 'writes', scope: `Tenant_Application/Write/${APP_ID}/${TENANT_ID}`, information: 'WriteLimitExceeded' },
      { window: scaled(18_000, 300_000), measures: 'writes', scope: `Tenant/Write/${APP_ID}/${TENANT_ID}`, information: 'WriteLimitExceeded' },
    ];
  }

  /** Admits and charges the request, or says which budget refused it and when to come back. */
  admit(cost: RequestCost, now: number): Admission {
    const refusing = this.budgets.find((budget) => !budget.window.fits(cost[budget.measures], now));
    if (refusing) {
      const amount = cost[refusing.measures];
      const waitMs = Math.max(...this.budgets.map((budget) => budget.window.waitMs(cost[budget.measures], now)));
      return {
        admitted: false,
        retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
        usage: (refusing.window.usage(now) + amount) / refusing.window.limit,
        information: refusing.information,
        scope: refusing.scope,
      };
    }
    for (const budget of this.budgets) budget.window.add(cost[budget.measures], now);
    return { admitted: true };
  }

  /** The highest share of any budget in use, as a fraction (1.0 = the whole limit). */
  usage(now: number): number {
    return Math.max(...this.budgets.map((budget) => budget.window.usage(now) / budget.window.limit));
  }
}

/** Graph sends the header only from 0.8 of a limit, as a fraction between 0.8 and 1.8. */
export function throttleLimitHeader(usage: number): Record<string, string> {
  if (usage < 0.8) return {};
  return { 'x-ms-throttle-limit-percentage': (Math.min(1.8, Math.floor(usage * 100 + 1e-9) / 100)).toFixed(2) };
}
