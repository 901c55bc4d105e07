/**
 * Micro-batched employeeId lookups: ids asked for close together are grouped 15 per
 * `employeeId in (…)` filter, and the groups leave together, marked as gathered, so that the
 * RequestCoalescer sends them at once (20 per `$batch`): 300 concurrent workers cost one HTTP
 * request. Each caller gets back only the users whose employeeId equals its own id
 * (case-insensitively): whatever Graph answered for a group, no caller sees another worker's user.
 *
 * When ids leave: at once when 300 are waiting (a full `$batch`: waiting gains nothing); else
 * once no new id came for QUIET_MS (a lone lookup, a resync's, leaves after that, not after the
 * whole window), and at the latest the coalescing window after the first.
 *
 * Read-ahead: a caller that knows which workers come next (the CLI's queue drain, which holds a
 * full batch of received jobs) asks for them all at once with `lookAhead`; each answer is kept
 * for the one job that then asks for that id, if it asks within FRESH_MS of the answer. Later,
 * it is looked up again: a job never plans a write on a lookup older than that.
 */
import { AppError, ensureAppError } from '../core/errors';
import type { DirectoryUser } from '../core/ports';
import { type ExecuteRequest, type GraphResponse, readCollection } from './graphResponse';
import { MAX_BATCH_REQUESTS } from './batchEnvelope';
import { MAX_IN_VALUES, assertEmployeeId, usersByEmployeeIdPath } from './odataQuery';
import { sameEmployeeId, toDirectoryUser } from './toDirectoryUser';

/** Ids that fill one `$batch`: 20 filters of 15. */
export const FULL_LOOKUP = MAX_IN_VALUES * MAX_BATCH_REQUESTS;
/** A lookup leaves once no other id was asked for this long (at most the window after the first). */
export const QUIET_MS = 40;
/**
 * How long a looked-ahead answer may be used after it came: within what a write already allows
 * between its lookup and its send (a write waits up to 40 s for the deployment's write turn).
 */
export const FRESH_MS = 30_000;

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
  /** The collection asked (default: live users, `/users`), `ids` at most 15. */
  path?(ids: readonly string[], select: string): string;
  /** What a lookup is called in errors. */
  noun?: string;
  /** True when the first answer says Graph will not filter so: every waiter gets FILTER_REFUSED. */
  refused?(first: GraphResponse): boolean;
}

/** The answer when `refused` said Graph will not run this filter (the soft-deleted lookups' fallback). */
export const FILTER_REFUSED = new AppError(
  'GRAPH.REQUEST_REFUSED',
  'Graph refuses to filter this collection by employeeId.',
  {
    status: 400,
  },
);

export class EmployeeIdLookups {
  /** Waiters by lower-cased id; the first spelling seen is the one sent. */
  private pending = new Map<string, { employeeId: string; waiters: Waiter[] }>();
  private timer: NodeJS.Timeout | null = null;
  /** When the first id now waiting was asked for. */
  private firstAt = 0;
  /** Looked-ahead answers by lower-cased id, each for one later `find`; `at` once answered. */
  private ahead = new Map<string, { answer: Promise<DirectoryUser[]>; at: number | null }>();

  constructor(private readonly deps: LookupDeps) {}

  find(employeeId: string): Promise<DirectoryUser[]> {
    assertEmployeeId(employeeId);
    const key = employeeId.toLowerCase();
    const kept = this.ahead.get(key);
    if (kept) {
      this.ahead.delete(key);
      if (kept.at === null || Date.now() - kept.at <= FRESH_MS) return kept.answer;
    }
    return this.ask(key, employeeId);
  }

  /**
   * Looks these ids up now, together, for the jobs that will ask for them soon (each answer
   * serves one `find`). Never rejects: a failed read-ahead leaves the job to look up itself.
   */
  lookAhead(employeeIds: readonly string[], onMissing?: (employeeId: string) => void): void {
    this.dropStale();
    for (const employeeId of new Set(employeeIds)) {
      const key = employeeId.toLowerCase();
      if (this.ahead.has(key) || !isEmployeeId(employeeId)) continue;
      const kept: { answer: Promise<DirectoryUser[]>; at: number | null } = {
        answer: this.ask(key, employeeId),
        at: null,
      };
      // Registered before the job's own wait on the answer, so this runs first: a worker without a
      // user is looked up ahead in the next collection (deletedItems) before its job asks there.
      kept.answer.then(
        (users) => {
          kept.at = Date.now();
          if (users.length === 0) onMissing?.(employeeId);
        },
        () => this.ahead.get(key) === kept && this.ahead.delete(key),
      );
      this.ahead.set(key, kept);
    }
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
    this.ahead.clear();
  }

  private ask(key: string, employeeId: string): Promise<DirectoryUser[]> {
    return new Promise((resolve, reject) => {
      const entry = this.pending.get(key) ?? { employeeId, waiters: [] };
      entry.waiters.push({ resolve, reject });
      this.pending.set(key, entry);
      this.schedule();
    });
  }

  /** A full batch leaves now; otherwise after a quiet spell, at the latest a window after the first id. */
  private schedule(): void {
    if (this.pending.size >= FULL_LOOKUP) {
      this.flush();
      return;
    }
    const now = Date.now();
    if (!this.timer) this.firstAt = now;
    else clearTimeout(this.timer);
    const at = Math.min(now + Math.min(QUIET_MS, this.deps.windowMs), this.firstAt + this.deps.windowMs);
    this.timer = setTimeout(() => this.flush(), Math.max(0, at - now));
  }

  /** Answers no job asked for in time (its job was superseded, or failed before its lookup). */
  private dropStale(): void {
    const now = Date.now();
    for (const [key, kept] of this.ahead) if (kept.at !== null && now - kept.at > FRESH_MS) this.ahead.delete(key);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
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
      const what = `${this.deps.noun ?? 'an employeeId lookup'} of ${ids.length} id(s)`;
      const url = (this.deps.path ?? usersByEmployeeIdPath)(ids, this.deps.select);
      // This window gathered the ids already: the group leaves without waiting out a second one.
      const first = await this.deps.execute({ method: 'GET', url, gathered: true }, what);
      if (this.deps.refused?.(first)) throw FILTER_REFUSED;
      const users = await readAllUsers(this.deps, first, what);
      for (const entry of group) {
        const own = users.filter((user) => sameEmployeeId(user.employeeId, entry.employeeId));
        for (const waiter of entry.waiters) waiter.resolve(own);
      }
    } catch (err) {
      const error = err === FILTER_REFUSED ? FILTER_REFUSED : ensureAppError(err, 'GRAPH.BAD_RESPONSE');
      for (const entry of group) for (const waiter of entry.waiters) waiter.reject(error);
    }
  }
}

function isEmployeeId(employeeId: string): boolean {
  try {
    assertEmployeeId(employeeId);
    return true;
  } catch {
    return false;
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
