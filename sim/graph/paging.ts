/**
 * Collection paging as Graph does it for directory objects: `$top` (default 100, 1..999) and an
 * absolute `@odata.nextLink` carrying an opaque `$skiptoken`.
 */
import { badRequest } from './responses';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 999;

export interface Page<T> {
  items: T[];
  /** Absent on the last page. */
  nextLink?: string;
}

export function pageSizeOf(query: Record<string, string>): number {
  const raw = query.$top;
  if (raw === undefined) return DEFAULT_PAGE_SIZE;
  const size = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(size >= 1 && size <= MAX_PAGE_SIZE)) {
    throw badRequest(
      'Request_UnsupportedQuery',
      `Invalid page size specified: '${raw}'. Must be between 1 and ${MAX_PAGE_SIZE} inclusive.`,
    );
  }
  return size;
}

/**
 * One page of `items`. `linkTo` builds the absolute URL of the same query with a new skiptoken
 * (the caller knows the base URL and the original query string).
 */
export function pageOf<T>(
  items: readonly T[],
  query: Record<string, string>,
  linkTo: (skipToken: string) => string,
): Page<T> {
  const size = pageSizeOf(query);
  const offset = query.$skiptoken === undefined ? 0 : decodeSkipToken(query.$skiptoken);
  const page = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length ? { items: page, nextLink: linkTo(encodeSkipToken(next)) } : { items: page };
}

function encodeSkipToken(offset: number): string {
  return Buffer.from(`sim-offset:${offset}`).toString('base64url');
}

function decodeSkipToken(token: string): number {
  const match = /^sim-offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match)
    throw badRequest(
      'Directory_ExpiredPageToken',
      'The specified page token value has expired and can no longer be included in your request.',
    );
  return Number(match[1]);
}
