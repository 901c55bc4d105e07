/**
 * The `Directory` port over Microsoft Graph: batched lookups, exactly one PATCH per user,
 * every request paced to Graph's identity limits and retried with the one retry policy.
 * It can express no create, delete, disable or restore: safety rule 1 holds by construction.
 *
 * A request goes down one path, each step wrapping the next (docs/graph-request-path.md):
 * this port → per-request retry (requestRetry.ts) → `$batch` gathering (requestCoalescer.ts)
 * → pacing (pacedWire.ts over pacer.ts) → the SDK client with authentication and fetch only
 * (wireClient.ts).
 */
import type { TokenCredential } from '@azure/identity';
import { AppError, isAppError } from '../core/errors';
import type {
  AuthenticationEmailMethod,
  DeletedLookup,
  Directory,
  DirectoryStats,
  DirectoryUser,
  Logger,
  Privilege,
  WriteGuard,
  WriteResult,
} from '../core/ports';
import { isLoopbackUrl } from '../config/settings';
import { azureCredential } from '../config/azureIdentity';
import { DEFAULT_RETRY, type RetryPolicy } from '../core/retry';
import { EmployeeIdLookups, FILTER_REFUSED } from './employeeIdLookups';
import {
  type GraphRequest,
  type GraphResponse,
  graphError,
  readBody,
  requestIds,
  toWriteResult,
} from './graphResponse';
import { appRolesOf, cachedTokenSource, graphScope, tokenCredentialOf } from './graphToken';
import { assertEmployeeId, deletedUsersByEmployeeIdPath, pathSegment, userSelect } from './odataQuery';
import { PacedWire } from './pacedWire';
import { Pacer, type PacerState, type PacingOptions } from './pacer';
import type { WriteBudgetSource } from './writeBudget';
import { PrivilegedUsers } from './privilegedUsers';
import { RequestCoalescer } from './requestCoalescer';
import { retryingEach } from './requestRetry';
import { assertWritablePatch } from './writablePatch';
import { collectionValues, toEmailMethod } from './toDirectoryUser';
import { createWireClient, relativeLink as linkBelow, versionRootOf } from './wireClient';
import { userPatchKinds, type WriteKind, WriteRefusals } from './writeRefusals';

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
  /** The deployment's shared write budget (all instances, resync, the CLI); without it this process holds the whole ceiling. */
  writeBudget?: WriteBudgetSource;
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
  const retry = options.retry ?? DEFAULT_RETRY;
  const extensions = options.extensionProperties ?? [];
  const select = userSelect(extensions);
  let lastToken = '';
  let tokenRoles: string[] | null = null;
  const wire = createWireClient({
    baseUrl,
    credential: credentialFor(options, baseUrl, (token) => {
      // The same cached token comes back for every request: decode it once.
      if (token !== lastToken) {
        lastToken = token;
        tokenRoles = appRolesOf(token);
      }
    }),
    scope: graphScope(baseUrl),
    fetchImpl: options.fetchImpl,
  });
  const pacer = new Pacer(options.pacing, retry.sleep ? { pause: retry.sleep } : {}, options.writeBudget);
  const paced = new PacedWire(wire, pacer, options.logger);
  const coalescer = new RequestCoalescer(paced, pacer.coalesceWindowMs);
  const execute = retryingEach((request) => coalescer.send(request), retry, options.logger);
  const versionRoot = versionRootOf(baseUrl);
  const relativeLink = (link: string) => linkBelow(versionRoot, link);
  const refusals = new WriteRefusals(() => tokenRoles);

  const lookups = new EmployeeIdLookups({
    execute,
    relativeLink,
    select,
    extensionProperties: extensions,
    windowMs: pacer.coalesceWindowMs,
  });
  let deletedFilterRefused = false;
  const deletedLookups = new EmployeeIdLookups({
    execute,
    relativeLink,
    select,
    extensionProperties: extensions,
    windowMs: pacer.coalesceWindowMs,
    path: deletedUsersByEmployeeIdPath,
    noun: 'a soft-deleted user lookup',
    refused: (first) => first.status === 400 && graphError(first).code === 'Request_UnsupportedQuery',
  });
  const privilegedUsers = new PrivilegedUsers({
    execute,
    relativeLink,
    logger: options.logger,
  });

  const write = async (request: GraphRequest, kinds: readonly WriteKind[], what: string): Promise<WriteResult> => {
    let response: GraphResponse;
    try {
      response = await execute(request, what);
    } catch (err) {
      if (isAppError(err) && err.code === 'GRAPH.NOT_SENT') return { status: 'notSent' };
      throw err;
    }
    if (response.status === 403 && !refusals.isAboutTheUser(kinds)) {
      // Not this user's refusal: settling it as `denied` would mark every worker so. Stop instead.
      const { code } = graphError(response);
      const ids = requestIds(response);
      throw new AppError(
        'GRAPH.REQUEST_REFUSED',
        `Graph answered 403 ${code} to ${what}${ids ? ` (${ids})` : ''}, and ${refusals.whyAppWide(kinds)}; no worker is marked denied.`,
        {
          status: 403,
        },
      );
    }
    const result = toWriteResult(response, what);
    if (result.status === 'denied' || result.status === 'invalid')
      log('info', `Graph refused ${what}: ${result.code} ${result.message}`);
    return result;
  };

  return {
    async findUsersByEmployeeId(employeeId: string): Promise<DirectoryUser[]> {
      return lookups.find(employeeId);
    },

    async findUsersByEmployeeIds(employeeIds: readonly string[]): Promise<Map<string, DirectoryUser[]>> {
      return lookups.findMany(employeeIds);
    },

    lookAhead(employeeIds: readonly string[]): void {
      // A worker without a user is asked about in deletedItems next: those leave together too.
      lookups.lookAhead(employeeIds, (missing) => {
        if (!deletedFilterRefused) deletedLookups.lookAhead([missing]);
      });
    },

    async findDeletedUsersByEmployeeId(employeeId: string): Promise<DeletedLookup> {
      assertEmployeeId(employeeId);
      if (deletedFilterRefused) return { supported: false };
      try {
        return { supported: true, users: await deletedLookups.find(employeeId) };
      } catch (err) {
        if (err !== FILTER_REFUSED) throw err;
        // "List deletedItems" (https://learn.microsoft.com/graph/api/directory-deleteditems-list)
        // supports the query parameters of the resource cast to, so the user's employeeId filter.
        // Only Request_UnsupportedQuery to that filter means "not here": the worker is escrowed as
        // notFound from then on. Any other error is an ordinary failure (readAllUsers throws it).
        // Lookups in flight when the first refusal came back must not warn again.
        if (!deletedFilterRefused)
          log(
            'warn',
            'Graph refuses to filter deletedItems by employeeId (Request_UnsupportedQuery); soft-deleted users are reported as notFound from now on.',
          );
        deletedFilterRefused = true;
        return { supported: false };
      }
    },

    async updateUser(userId: string, patch: Record<string, unknown>, guard?: WriteGuard): Promise<WriteResult> {
      assertWritablePatch(patch);
      const url = `/users/${pathSegment(userId, 'user id')}`;
      return write({ method: 'PATCH', url, body: patch, guard }, userPatchKinds(patch), `PATCH ${url}`);
    },

    async getAuthenticationEmail(userId: string): Promise<AuthenticationEmailMethod | null> {
      // The one read without $select: "List emailMethods" supports no optional query parameters
      // (Graph reference), and an email method has only id and emailAddress anyway.
      const url = `/users/${pathSegment(userId, 'user id')}/authentication/emailMethods`;
      const what = `GET ${url}`;
      const first = collectionValues(readBody(await execute({ method: 'GET', url }, what), what))[0];
      return first === undefined ? null : toEmailMethod(first);
    },

    async setAuthenticationEmail(
      userId: string,
      existingId: string | null,
      emailAddress: string,
      guard?: WriteGuard,
    ): Promise<WriteResult> {
      if (typeof emailAddress !== 'string' || !emailAddress.includes('@')) {
        throw new AppError('INPUT.INVALID', 'An authentication email method needs an email address.');
      }
      const methods = `/users/${pathSegment(userId, 'user id')}/authentication/emailMethods`;
      if (existingId === null)
        return write(
          { method: 'POST', url: methods, body: { emailAddress }, guard },
          ['authenticationEmail'],
          `POST ${methods}`,
        );
      const url = `${methods}/${pathSegment(existingId, 'email method id')}`;
      return write({ method: 'PATCH', url, body: { emailAddress }, guard }, ['authenticationEmail'], `PATCH ${url}`);
    },

    privilegedUserIds(): Promise<ReadonlyMap<string, Privilege>> {
      return privilegedUsers.ids();
    },

    stats(): DirectoryStats {
      return { ...paced.stats };
    },

    pacing(): PacerState {
      return pacer.state();
    },

    async close(): Promise<void> {
      lookups.close();
      deletedLookups.close();
      coalescer.close();
    },
  };
}

function checkedBaseUrl(options: GraphDirectoryOptions): string {
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw new AppError(
      'CONFIG.INVALID_SETTING',
      `GRAPH_BASE_URL must be an http(s) URL, e.g. https://graph.microsoft.com.`,
    );
  }
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  if (!['http:', 'https:'].includes(url.protocol) || /\/(v1\.0|beta)$/.test(baseUrl)) {
    throw new AppError(
      'CONFIG.INVALID_SETTING',
      'GRAPH_BASE_URL must be an http(s) URL without a version segment, e.g. https://graph.microsoft.com.',
    );
  }
  // A bearer token never crosses plain http to a real host (the SDK would not send it either).
  if (url.protocol === 'http:' && !isLoopbackUrl(baseUrl)) {
    throw new AppError(
      'CONFIG.INVALID_SETTING',
      `GRAPH_BASE_URL (${baseUrl}) must be https:// unless it is a loopback simulator.`,
    );
  }
  // Settings refuse this already; a directory built by hand must not send unauthenticated requests to a real host either.
  if (options.auth === 'none' && !isLoopbackUrl(baseUrl)) {
    throw new AppError(
      'CONFIG.INVALID_SETTING',
      `GRAPH_AUTH 'none' is refused because GRAPH_BASE_URL (${baseUrl}) is not a loopback address; use 'azure'.`,
    );
  }
  return baseUrl;
}

/** The credential the SDK's authentication provider asks, cached; each token's roles go to `onToken`. */
function credentialFor(
  options: GraphDirectoryOptions,
  baseUrl: string,
  onToken: (token: string) => void,
): TokenCredential | null {
  if (options.auth === 'none') return null;
  const credential = options.credential ?? azureCredential(options.clientId);
  return tokenCredentialOf(cachedTokenSource(credential, graphScope(baseUrl)), onToken);
}
