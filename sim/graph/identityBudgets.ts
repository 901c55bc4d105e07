/**
 * Graph's identity-and-access throttling for one app in one tenant: a resource-unit budget per
 * 10 s that depends on the tenant's size (3,500 under 50 users, 5,000 for 50–500, 8,000 above
 * 500), 3,000 writes per 150 s per app+tenant, 18,000 writes per 5 min per tenant.
 * `windowScale` shortens each window and its limit alike (rates unchanged), so tests and
 * benchmarks reach the same behaviour in less time; `writeWindowSeconds` sets the app's write
 * window alone (its limit stays 20 writes a second of it), to show a client that bursts above the
 * documented rate being punished by a short window and let off by a long one.
 */
import { SlidingWindow } from './slidingWindow';

export interface RequestCost {
  resourceUnits: number;
  writes: number;
}

/** Resource units per 10 s per app+tenant, by the tenant's number of users. */
export const RESOURCE_UNITS_PER_10S = { small: 3_500, medium: 5_000, large: 8_000 } as const;
export type TenantSize = keyof typeof RESOURCE_UNITS_PER_10S;
/** Writes per app+tenant: 3,000 per 150 s. */
export const WRITES_PER_SECOND = 20;

export interface BudgetShape {
  /** Shortens every window and its limit alike (default 1). */
  windowScale?: number;
  /** The app+tenant write window in seconds, its limit 20 per second of it (default 150 × windowScale). */
  writeWindowSeconds?: number;
  /** Which resource-unit budget the tenant has (default large). */
  tenantSize?: TenantSize;
}

export type Admission =
  | { admitted: true }
  | {
      admitted: false;
      retryAfterSeconds: number;
      usage: number;
      information: 'ResourceUnitLimitExceeded' | 'WriteLimitExceeded';
      scope: string;
    };

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

  constructor({ windowScale = 1, writeWindowSeconds, tenantSize = 'large' }: BudgetShape = {}) {
    if (!(windowScale > 0)) throw new Error(`throttling.windowScale must be a positive number, got ${windowScale}.`);
    if (writeWindowSeconds !== undefined && !(writeWindowSeconds > 0))
      throw new Error(`throttling.writeWindowSeconds must be a positive number, got ${writeWindowSeconds}.`);
    if (!(tenantSize in RESOURCE_UNITS_PER_10S))
      throw new Error(`throttling.tenantSize must be small, medium or large, got ${tenantSize}.`);
    const scaled = (limit: number, windowMs: number): SlidingWindow =>
      new SlidingWindow(Math.max(1, Math.round(limit * windowScale)), windowMs * windowScale);
    const appWrites =
      writeWindowSeconds === undefined
        ? scaled(WRITES_PER_SECOND * 150, 150_000)
        : new SlidingWindow(Math.max(1, Math.round(WRITES_PER_SECOND * writeWindowSeconds)), writeWindowSeconds * 1000);
    this.budgets = [
      {
        window: scaled(RESOURCE_UNITS_PER_10S[tenantSize], 10_000),
        measures: 'resourceUnits',
        scope: `Tenant_Application/ReadWrite/${APP_ID}/${TENANT_ID}`,
        information: 'ResourceUnitLimitExceeded',
      },
      {
        window: appWrites,
        measures: 'writes',
        scope: `Tenant_Application/Write/${APP_ID}/${TENANT_ID}`,
        information: 'WriteLimitExceeded',
      },
      {
        window: scaled(18_000, 300_000),
        measures: 'writes',
        scope: `Tenant/Write/${APP_ID}/${TENANT_ID}`,
        information: 'WriteLimitExceeded',
      },
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
  return { 'x-ms-throttle-limit-percentage': Math.min(1.8, Math.floor(usage * 100 + 1e-9) / 100).toFixed(2) };
}
