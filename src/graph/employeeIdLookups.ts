/**
 * Micro-batched employeeId lookups: ids asked for within the coalescing window are grouped 15
 * per `employeeId in (…)` filter, and the groups leave together through the RequestCoalescer
 * (20 per `$batch`), so 300 concurrent workers cost one HTTP request. Each caller gets back
 * only the users whose employeeId equals its own id (case-insensitively): whatever Graph
 * answered for a group, no caller sees another worker's user.
 */
import { ensureAppError } from '../core/errors';
import type { DirectoryUser } from '../core/ports';
import type { GraphRequest, GraphResponse } from './graphResponse';
import { readBody } from './graphResponse';
import { MAX_IN_VALUES, assertEmployeeId, usersByEmployeeIdPath } from './odataQuery';
import { collectionValues, isObject, sameEmployeeId, toDirectoryUser } from './toDirectoryUser';

/** Sends one logical request with the retry policy applied. */
export type ExecuteRequest = (request: GraphRequest, what: string) => Promise<GraphResponse>;

interface Waiter {
  resolve(users: DirectoryUser[]): void;
  reject(error: unknown): void;
}

export interface LookupDeps {
  execute: ExecuteRequest;
  relativeLink(link: string): string;
  /** Lets the coalesced group requests leave at once instead of waiting a second window. */
  flushSoon(): void;
  select: string;
  extensionProperties: readonly string[];
  windowMs: number;
}

export class EmployeeIdLookups {
  /** Waiters by lower-cased id; the first spelling seen is the one sent. */
  private pending = new Map<string, { employeeId: string; waiters: Waiter[] }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: LookupDeps) {}

  find(employeeId: string): Promise<DirectoryUser[]> {
    assertEmployeeId(employeeId);
    return new Promise((resolve, reject) => {
      const key = employeeId.toLowerCase();
      const entry = this.pending.get(key) ?? { employeeId, waiters: [] };
      entry.waiters.push({ resolve, reject });
      this.pending.set(key, entry);
      this.timer ??= setTimeout(() => this.flush(), this.deps.windowMs);
    });
  }

  /** Many ids at once; keys of the answer are the lower-cased ids. */
  async findMany(employeeIds: readonly string[]): Promise<Map<string, DirectoryUser[]>> {
    employeeIds.forEach(assertEmployeeId);
    const unique = [...new Map(employeeIds.map((id) => [id.toLowerCase(), id])).values()];
    const found = await Promise.all(unique.map((id) => this.find(id)));
    return new Map(unique.map((id, index) => [id.toLowerCase(), found[index]!]));
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private flush(): void {
    this.timer = null;
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (let start = 0; start < entries.length; start += MAX_IN_VALUES) {
      void this.lookUpGroup(entries.slice(start, start + MAX_IN_VALUES));
    }
    this.deps.flushSoon();
  }

  private async lookUpGroup(group: Array<{ employeeId: string; waiters: Waiter[] }>): Promise<void> {
    try {
      const ids = group.map((entry) => entry.employeeId);
      const users = await readAllUsers(
        this.deps,
        usersByEmployeeIdPath(ids, this.deps.select),
        `an employeeId lookup of ${ids.length} id(s)`,
      );
      for (const entry of group) {
        const own = users.filter((user) => sameEmployeeId(user.employeeId, entry.employeeId));
        for (const waiter of entry.waiters) waiter.resolve(own);
      }
    } catch (err) {
      const error = ensureAppError(err, 'GRAPH.BAD_RESPONSE');
      for (const entry of group) for (const waiter of entry.waiters) waiter.reject(error);
    }
  }
}

/** Reads a user collection, following `@odata.nextLink` to the last page. */
export async function readAllUsers(
  deps: Pick<LookupDeps, 'execute' | 'relativeLink' | 'extensionProperties'>,
  first: string | GraphResponse,
  what: string,
): Promise<DirectoryUser[]> {
  const users: DirectoryUser[] = [];
  let response = typeof first === 'string' ? await deps.execute({ method: 'GET', url: first }, what) : first;
  for (;;) {
    const body = readBody(response, what);
    users.push(...collectionValues(body).map((raw) => toDirectoryUser(raw, deps.extensionProperties)));
    const next = isObject(body) ? body['@odata.nextLink'] : undefined;
    if (typeof next !== 'string' || next.length === 0) return users;
    response = await deps.execute({ method: 'GET', url: deps.relativeLink(next) }, what);
  }
}
