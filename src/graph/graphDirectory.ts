/**
 * The `Directory` port over Microsoft Graph: batched lookups, exactly one PATCH per user,
 * every request paced to Graph's identity limits and retried with the one retry policy.
 * It can express no create, delete, disable or restore: safety rule 1 holds by construction.
 */
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { AppError, isAppError } from '../core/errors';
import type { AuthenticationEmailMethod, DeletedLookup, Directory, DirectoryStats, DirectoryUser, Logger, WriteResult } from '../core/ports';
import { isLoopbackUrl } from '../config/settings';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from '../http/retry';
import { EmployeeIdLookups, readAllUsers } from './employeeIdLookups';
import { createGraphHttp } from './graphHttp';
import { type GraphRequest, type GraphResponse, graphError, readBody, throwIfTransient, toWriteResult } from './graphResponse';
import { cachedTokenSource, graphScope, type TokenSource } from './graphToken';
import { assertEmployeeId, deletedUsersByEmployeeIdPath, pathSegment, userSelect } from './odataQuery';
import { Pacer, type PacerState, type PacingOptions } from './pacer';
import { RequestCoalescer } from './requestCoalescer';
import { assertWritablePatch } from './writablePatch';
import { collectionValues, sameEmployeeId, toEmailMethod } from './toDirectoryUser';

export interface GraphDirectoryOptions {
  /** No version segment (`https://graph.microsoft.com`); the adapter adds /v1.0. */
  baseUrl: string;
  /** `none` only for loopback simulators. */
  auth: 'azure' | 'none';
  /** Client id of a user-assigned managed identity. */
  clientId?: string;
  /** Directory extension attributes (`extension_<appId>_<name>`) to `$select`. */
  extensionProperties?: string[];
  logger?: Logger;
  retry?: RetryPolicy;
  pacing?: Partial<PacingOptions>;
  fetchImpl?: typeof fetch;
  /** Overrides the credential that `auth: 'azure'` builds (tests, custom identities). */
  credential?: TokenCredential;
}

export type GraphDirectory = Directory & {
  /** The pacer's current concurrency and rates (for logs, the benchmark and tests). */
  pacing(): PacerState;
  close(): Promise<void>;
};

export function createGraphDirectory(options: GraphDirectoryOptions): GraphDirectory {
  const baseUrl = checkedBaseUrl(options);
  const log = (level: 'debug' | 'info' | 'warn', message: string, properties?: Record<string, unknown>) =>
    options.logger?.log(level, message, properties);
  const policy = options.retry ?? DEFAULT_RETRY;
  const retry: RetryPolicy = {
    ...policy,
    onRetry: (error, attempt, delayMs) => {
      policy.onRetry?.(error, attempt, delayMs);
      log('debug', `Graph retry in ${delayMs} ms after attempt ${attempt}: ${error.message}`);
    },
  };
  const extensions = options.extensionProperties ?? [];
  const select = userSelect(extensions);
  const stats: DirectoryStats = { httpRequests: 0, subRequests: 0, throttled: 0, writes: 0 };
  const http = createGraphHttp({ baseUrl, token: tokenSourceFor(options, baseUrl), ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}) });
  const pacer = new Pacer(options.pacing, retry.sleep ? { pause: retry.sleep } : {});
  const coalescer = new RequestCoalescer(http, pacer, stats, options.logger);

  /** One logical request, retried on its own (also inside a `$batch`) while Graph is transiently unable. */
  const execute = async (request: GraphRequest, what: string): Promise<GraphResponse> => {
    try {
      return await withRetry(async () => throwIfTransient(await coalescer.submit(request), what), retry);
    } catch (err) {
      if (isAppError(err) && err.transient) {
        throw new AppError('GRAPH.UNAVAILABLE', `${err.message} Gave up after ${retry.maxAttempts} attempts.`, {
          transient: true,
          cause: err,
          ...(err.status === undefined ? {} : { status: err.status }),
        });
      }
      throw err;
    }
  };

  const lookups = new EmployeeIdLookups({
    execute,
    relativeLink: http.relativeLink,
    flushSoon: () => coalescer.flushSoon(),
    select,
    extensionProperties: extensions,
    windowMs: pacer.coalesceWindowMs,
  });
  let deletedFilterRefused = false;

  const write = async (request: GraphRequest, what: string): Promise<WriteResult> => {
    const result = toWriteResult(await execute(request, what), what);
    if (result.status !== 'ok') log('debug', `Graph refused ${what}: ${result.code}.`);
    return result;
  };

  return {
    async findUsersByEmployeeId(employeeId: string): Promise<DirectoryUser[]> {
      return lookups.find(employeeId);
    },

    async findUsersByEmployeeIds(employeeIds: readonly string[]): Promise<Map<string, DirectoryUser[]>> {
      return lookups.findMany(employeeIds);
    },

    async findDeletedUsersByEmployeeId(employeeId: string): Promise<DeletedLookup> {
      assertEmployeeId(employeeId);
      if (deletedFilterRefused) return { supported: false };
      const what = 'a soft-deleted user lookup';
      const url = deletedUsersByEmployeeIdPath(employeeId, select);
      const first = await execute({ method: 'GET', url }, what);
      if (first.status === 400 && graphError(first).code === 'Request_UnsupportedQuery') {
        if (!deletedFilterRefused) {
          deletedFilterRefused = true;
          log('warn', 'Graph refuses to filter deletedItems by employeeId; soft-deleted users are reported as notFound from now on.');
        }
        return { supported: false };
      }
      const users = await readAllUsers({ execute, relativeLink: http.relativeLink, extensionProperties: extensions }, first, what);
      return { supported: true, users: users.filter((user) => sameEmployeeId(user.employeeId, employeeId)) };
    },

    async updateUser(userId: string, patch: Record<string, unknown>): Promise<WriteResult> {
      assertWritablePatch(patch);
      const url = `/users/${pathSegment(userId, 'user id')}`;
      return write({ method: 'PATCH', url, body: patch }, `PATCH ${url}`);
    },

    async getAuthenticationEmail(userId: string): Promise<AuthenticationEmailMethod | null> {
      // Every read names what it needs (DESIGN: $select on every Graph read).
      const url = `/users/${pathSegment(userId, 'user id')}/authentication/emailMethods?$select=id,emailAddress`;
      const what = `GET ${url}`;
      const first = collectionValues(readBody(await execute({ method: 'GET', url }, what), what))[0];
      return first === undefined ? null : toEmailMethod(first);
    },

    async setAuthenticationEmail(userId: string, existingId: string | null, emailAddress: string): Promise<WriteResult> {
      if (typeof emailAddress !== 'string' || !emailAddress.includes('@')) {
        throw new AppError('INPUT.INVALID', 'An authentication email method needs an email address.');
      }
      const methods = `/users/${pathSegment(userId, 'user id')}/authentication/emailMethods`;
      if (existingId === null) return write({ method: 'POST', url: methods, body: { emailAddress } }, `POST ${methods}`);
      const url = `${methods}/${pathSegment(existingId, 'email method id')}`;
      return write({ method: 'PATCH', url, body: { emailAddress } }, `PATCH ${url}`);
    },

    stats(): DirectoryStats {
      return { ...stats };
    },

    pacing(): PacerState {
      return pacer.state();
    },

    async close(): Promise<void> {
      lookups.close();
      coalescer.close();
    },
  };
}

function checkedBaseUrl(options: GraphDirectoryOptions): string {
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw new AppError('CONFIG.INVALID_SETTING', `GRAPH_BASE_URL must be an http(s) URL, e.g. https://graph.microsoft.com.`);
  }
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  if (!['http:', 'https:'].includes(url.protocol) || /\/(v1\.0|beta)$/.test(baseUrl)) {
    throw new AppError('CONFIG.INVALID_SETTING', 'GRAPH_BASE_URL must be an http(s) URL without a version segment, e.g. https://graph.microsoft.com.');
  }
  // Settings refuse this already; a directory built by hand must not send unauthenticated requests to a real host either.
  if (options.auth === 'none' && !isLoopbackUrl(baseUrl)) {
    throw new AppError('CONFIG.INVALID_SETTING', `GRAPH_AUTH 'none' is refused because GRAPH_BASE_URL (${baseUrl}) is not a loopback address; use 'azure'.`);
  }
  return baseUrl;
}

function tokenSourceFor(options: GraphDirectoryOptions, baseUrl: string): TokenSource | null {
  if (options.auth === 'none') return null;
  const credential =
    options.credential ?? (options.clientId ? new ManagedIdentityCredential({ clientId: options.clientId }) : new DefaultAzureCredential());
  return cachedTokenSource(credential, graphScope(baseUrl));
}
