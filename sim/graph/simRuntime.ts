/**
 * What every handler of the simulator works with: one logical request (a plain HTTP request or
 * one $batch sub-request) and the simulator's shared state.
 */
import type { FaultQueue } from './faults';
import type { IdentityBudgets } from './identityBudgets';
import type { RequestRecorder } from './requestRecorder';
import { badRequest } from './responses';
import type { TenantDirectory } from './tenantDirectory';

export interface LogicalRequest {
  /** Upper-case. */
  method: string;
  /** Decoded, after /v1.0, without the query. */
  path: string;
  /** Query parameters as sent (names and values decoded). */
  query: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed JSON body; undefined when there was none. */
  body: unknown;
  /** The body was present but not JSON. */
  malformedBody: boolean;
  inBatch: boolean;
}

export interface SimRuntime {
  directory: TenantDirectory;
  faults: FaultQueue;
  /** Null when throttling is off. */
  budgets: IdentityBudgets | null;
  recorder: RequestRecorder;
  clock: () => number;
  /** http://127.0.0.1:PORT, known once the server listens. */
  baseUrl: () => string;
  deletedItemsFilter: DeletedItemsFilter;
  /** The app's roles; null: every role the writer could need (see appRoles.ts). */
  appRoles: Set<string> | null;
  /** False: no Entra ID P2 / ID Governance, so PIM lists answer 400 AadPremiumLicenseRequired. */
  pimLicensed: boolean;
}

/** 'refused' answers 400 Request_UnsupportedQuery; `{ refusedWith }` a 400 with that code. */
export type DeletedItemsFilter = 'supported' | 'refused' | { refusedWith: string };

/**
 * The OData system query options of a request, names lower-cased as Graph reads them. Options a
 * route does not serve are refused rather than silently ignored.
 */
export function systemOptions(request: LogicalRequest, served: readonly string[]): Record<string, string> {
  const options: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.query)) {
    if (!name.startsWith('$')) continue;
    const option = name.toLowerCase();
    if (!served.includes(option)) {
      throw badRequest(
        'Request_UnsupportedQuery',
        `The query option '${name}' is not supported on '${request.path}' by the Graph simulator.`,
      );
    }
    options[option] = value;
  }
  return options;
}

/** The absolute URL of the same request with other query parameters (for nextLink). */
export function absoluteUrl(runtime: SimRuntime, path: string, query: Record<string, string>): string {
  const pairs = Object.entries(query).map(
    ([name, value]) => `${encodeURIComponent(name).replace(/^%24/, '$')}=${encodeURIComponent(value)}`,
  );
  return `${runtime.baseUrl()}/v1.0${path}${pairs.length ? `?${pairs.join('&')}` : ''}`;
}

export function metadataUrl(runtime: SimRuntime, fragment: string): string {
  return `${runtime.baseUrl()}/v1.0/$metadata#${fragment}`;
}
