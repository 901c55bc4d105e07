/**
 * The public shapes of the Graph simulator: what tests, the demo and the benchmark see.
 */
import type { SimUserSeed } from '../world';
import type { BudgetShape } from './identityBudgets';
import type { SimGroupSeed } from './roleDirectory';

export interface SimUser {
  id: string;
  employeeId: string | null;
  displayName: string;
  userPrincipalName: string;
  onPremisesSyncEnabled: boolean | null;
  otherMails: string[];
  usageLocation: string | null;
  /** Seeded with an active Global Administrator assignment (see roleDirectory.ts). */
  privileged: boolean;
  deletedDateTime: string | null;
  extensions: Record<string, unknown>;
  emailMethod: { id: string; emailAddress: string } | null;
}

export interface GraphSimOptions {
  /** Added to every HTTP response (not to each $batch sub-request). Default 0. */
  latencyMs?: number;
  /**
   * Default false (no budgets). When on, Graph's identity budgets are enforced with sliding
   * windows; windowScale shortens every window and its limit alike, so the RATES stay Graph's;
   * writeWindowSeconds sets the write window alone; tenantSize picks the resource-unit budget.
   */
  throttling?: false | BudgetShape;
  /**
   * Default 'supported', as documented (deletedItems supports the user resource's filters);
   * 'refused' answers 400 Request_UnsupportedQuery, `{ refusedWith: code }` a 400 with another code.
   */
  deletedItemsFilter?: 'supported' | 'refused' | { refusedWith: string };
  /** The app's application roles; default: all the writer could need. Writes without one answer 403. */
  appRoles?: readonly string[];
  /**
   * Default true. False models a tenant without Microsoft Entra ID P2 / ID Governance: the PIM
   * eligibility lists answer 400 AadPremiumLicenseRequired.
   */
  pimLicensed?: boolean;
  /** When true, a request without `Authorization: Bearer …` answers 401. */
  requireAuthorization?: boolean;
  /** Milliseconds since the epoch; tests pass a fake clock to drive the budgets exactly. */
  clock?: () => number;
}

export interface GraphRequestLogEntry {
  method: string;
  /** Decoded path after /v1.0, without the query. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  inBatch: boolean;
  at: number;
}

export interface GraphCounters {
  /** HTTP requests received (a $batch counts once). */
  httpRequests: number;
  /** Logical requests: each plain request and each $batch sub-request. */
  subRequests: number;
  /** Responses and sub-responses answered 429. */
  throttled: number;
  /** Writes that succeeded (2xx POST/PATCH/PUT/DELETE). */
  writes: number;
  /** Resource units charged (throttled requests are not charged). */
  resourceUnits: number;
}

export interface GraphFault {
  status: 429 | 500 | 503 | 504;
  count: number;
  /** Sent as Retry-After when given. */
  retryAfterSeconds?: number;
  /** Default: every logical request (plain or sub-request), never the $batch envelope itself. */
  match?: (method: string, path: string) => boolean;
}

export interface GraphSimulator {
  /** e.g. http://127.0.0.1:PORT — no /v1.0; clients add it. */
  url: string;
  addUser(seed: SimUserSeed & { id?: string }): SimUser;
  loadUsers(seeds: SimUserSeed[]): void;
  /** Active or deleted; the live record. */
  getUser(id: string): SimUser | undefined;
  /** Active users only, compared case-insensitively as Graph does. */
  usersByEmployeeId(employeeId: string): SimUser[];
  softDeleteUser(id: string): void;
  allUsers(): SimUser[];
  readonly requests: GraphRequestLogEntry[];
  counters(): GraphCounters;
  resetLog(): void;
  injectFaults(fault: GraphFault): void;
  /** Assigns the principal (a user or a role-assignable group) a directory role, active or PIM-eligible. */
  grantDirectoryRole(principalId: string, kind: 'active' | 'eligible'): void;
  /**
   * A role-assignable group with these members, owners and PIM-for-Groups eligibilities; returns
   * its id (grant it a role to make them admins).
   */
  addRoleAssignableGroup(displayName: string, seed: SimGroupSeed): string;
  /** Changes the app's roles from the next request on (null: all), as a grant reaching Graph would. */
  setAppRoles(roles: readonly string[] | null): void;
  /** Holds chosen plain requests before Graph acts on them (ms; null: none): writes that land late. */
  delayLanding(delay: ((method: string, path: string) => number) | null): void;
  close(): Promise<void>;
}
