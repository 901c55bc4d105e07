/**
 * Micro-batched employeeId lookups: ids asked for within the coalescing window are grouped 15
 * per `employeeId in (…)` filter, and the groups leave together, marked as gathered, so that the
 * RequestCoalescer sends them at once (20 per `$batch`): 300 concurrent workers cost one HTTP request. Each caller gets back
 * only the users whose employeeId equals its own id (case-insensitively): whatever Graph
 * answered for a group, no caller sees another worker's user.
 */
import { ensureAppError } from '../core/errors';
import type { DirectoryUser } from '../core/ports';
import { type ExecuteRequest, type GraphResponse, readCollection } from './graphResponse';
import { MAX_IN_VALUES, assertEmployeeId, usersByEmployeeIdPath } from './odataQuery';
import { sameEmployeeId, toDirectoryUser } from './toDirectoryUser';

interface Waiter {
  resolve(users: DirectoryUser[]): void;
  reject(error: unknown): void;
}

export interface LookupDeps {
  execute: ExecuteRequest;
  relativeLink(link: string): string;
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
  }

  private async lookUpGroup(group: Array<{ employeeId: string; waiters: Waiter[] }>): Promise<void> {
    try {
      const ids = group.map((entry) => entry.employeeId);
      const what = `an employeeId lookup of ${ids.length} id(s)`;
      const url = usersByEmployeeIdPath(ids, this.deps.select);
      // This window gathered the ids already: the group leaves without waiting out a second one.
      const users = await readAllUsers(
        this.deps,
        await this.deps.execute({ method: 'GET', url, gathered: true }, what),
        what,
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

/** Every user of a collection from its first page on (`@odata.nextLink` followed). */
export async function readAllUsers(
  deps: Pick<LookupDeps, 'execute' | 'relativeLink' | 'extensionProperties'>,
  first: GraphResponse,
  what: string,
): Promise<DirectoryUser[]> {
  return (await readCollection(deps, first, what)).map((raw) => toDirectoryUser(raw, deps.extensionProperties));
}
