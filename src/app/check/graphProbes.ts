/**
 * Graph for `check`: a token from the same identity the app uses, the application roles the
 * connector's mappings need found in its `roles` claim, one lookup by employeeId, and whether
 * this tenant answers a deletedItems filter on employeeId. Reads only.
 */
import type { TokenCredential } from '@azure/identity';
import type { Settings } from '../../config/settings';
import type { ConnectorConfig } from '../../core/connector';
import { ensureAppError } from '../../core/errors';
import { broaderRoleAdvice, requiredGraphRoles, ROLE_HOLDER_READS } from '../../core/mappingTargets';
import type { Directory } from '../../core/ports';
import { cachedTokenSource, graphScope, isCredentialUnavailable } from '../../graph/graphToken';
import { azureCredential, tokenClaims } from '../../config/azureIdentity';
import { fail, pass, skip, type CheckLine } from './checkLine';
import { PROBE_WORKER_ID } from './workdayProbes';

const GRANT_SCRIPT = 'infra/grant-graph-permissions.sh';

/**
 * Where DefaultAzureCredential finds an identity (Microsoft Learn, "Credential chains in the Azure
 * Identity library for JavaScript"). A client secret is not offered: AZURE_CLIENT_ID names the
 * app's managed identity here, so the environment credential cannot be configured beside it.
 */
export const NO_CREDENTIAL_FIX =
  "no Azure credential on this machine: sign in with `az login` (or `azd auth login`) as an account that may read the tenant, or run check in Azure where the app's managed identity is (AZURE_CLIENT_ID names a user-assigned one); GRAPH_AUTH=none only with a loopback simulator";

export async function probeGraphRoles(
  settings: Settings,
  connector: ConnectorConfig,
  connectorPath: string,
  credential?: TokenCredential,
): Promise<CheckLine> {
  const check = 'Graph token and application roles';
  if (settings.graph.auth === 'none')
    return skip(
      check,
      `GRAPH_AUTH is 'none' (a loopback simulator at ${settings.graph.baseUrl}): no token, no roles to check`,
    );
  const identity = credential ?? azureCredential(settings.graph.clientId);
  let token: string;
  try {
    token = await cachedTokenSource(identity, graphScope(settings.graph.baseUrl))();
  } catch (err) {
    const error = ensureAppError(err);
    return error.transient
      ? fail(
          check,
          'unreachable',
          `${error.message} [${error.code}]`,
          'the identity endpoint did not answer; try again, or check the network to Entra ID',
        )
      : fail(
          check,
          'configuration',
          isCredentialUnavailable(error.cause)
            ? `no Azure identity answered on this machine (environment, managed identity, Azure CLI, Azure Developer CLI, PowerShell, VS Code) [${error.code}]`
            : `${error.message} [${error.code}]`,
          NO_CREDENTIAL_FIX,
        );
  }
  const claims = tokenClaims(token) as TokenClaims;
  const required = requiredGraphRoles(connector);
  const who = `${claims.app_displayname ?? claims.appid ?? 'unknown app'}${claims.oid ? `, object id ${claims.oid}` : ''}`;
  if (!Array.isArray(claims.roles) && typeof claims.scp === 'string') {
    return skip(
      check,
      `token for ${who} is a signed-in user's (delegated, scopes: ${claims.scp}), not the app's: application roles show only in the managed identity's token; run check where AZURE_CLIENT_ID names it`,
    );
  }
  const held = new Set(Array.isArray(claims.roles) ? claims.roles.map(String) : []);
  const missing = required.filter((role) => !held.has(role));
  const advice = [...held]
    .filter((role) => !required.includes(role))
    .map((role) => broaderRoleAdvice(role, required))
    .filter((line): line is string => line !== null);
  const note = advice.map((line) => `; ${line}`).join('');
  if (missing.length > 0) {
    // Without the role read the privileged-target screen cannot run, and no reset channel is written.
    const screenReads = missing.filter((role) => ROLE_HOLDER_READS.includes(role));
    const screen =
      screenReads.length > 0
        ? `; without ${screenReads.join(', ')} the app cannot tell who holds a directory role, so it writes no reset channel for anyone`
        : '';
    return fail(
      check,
      'configuration',
      `token for ${who} lacks ${missing.join(', ')} (the mappings need ${required.join(', ')}; it holds ${[...held].join(', ') || 'no roles'})${screen}${note}`,
      `grant them: ${GRANT_SCRIPT} ${connectorPath} ${claims.oid ?? '<managed identity object id>'}  (a managed identity's token is cached for about 24 hours and cannot be refreshed early, a restart does not help: new roles reach it within a day)`,
    );
  }
  return pass(check, `token for ${who} holds ${required.join(', ')}${note}`);
}

/** One read lookup by employeeId (a worker in scope when there is one) and the deletedItems filter. */
export async function probeGraphReads(directory: Directory, employeeIds: readonly string[]): Promise<CheckLine[]> {
  const lookupCheck = 'Graph user lookup by employeeId';
  const deletedCheck = 'Graph deletedItems filter on employeeId';
  const id = employeeIds[0] ?? PROBE_WORKER_ID;
  const fixes = {
    refused: `grant the app's identity User.Read.All (${GRANT_SCRIPT})`,
    unreachable: 'check GRAPH_BASE_URL and that Graph is reachable from here',
  };
  let lookup: CheckLine;
  try {
    const users = await directory.findUsersByEmployeeId(id);
    lookup = pass(
      lookupCheck,
      `employeeId '${id}'${employeeIds[0] ? ' (a worker in scope)' : ''}: ${users.length} user${users.length === 1 ? '' : 's'} found`,
    );
  } catch (err) {
    const error = ensureAppError(err);
    const refused = error.code === 'GRAPH.REQUEST_REFUSED' || error.status === 401 || error.status === 403;
    lookup = fail(
      lookupCheck,
      refused ? 'configuration' : 'unreachable',
      `${error.message} [${error.code}]`,
      refused ? fixes.refused : fixes.unreachable,
    );
    return [lookup, skip(deletedCheck, 'not tried: the user lookup failed')];
  }
  try {
    const deleted = await directory.findDeletedUsersByEmployeeId(id);
    const detail = deleted.supported
      ? 'this tenant answers it: a worker whose only user is soft-deleted is escrowed as softDeleted'
      : 'this tenant answers Request_UnsupportedQuery: soft-deleted users will be escrowed as notFound; nothing to fix';
    return [lookup, pass(deletedCheck, detail)];
  } catch (err) {
    const error = ensureAppError(err);
    return [
      lookup,
      fail(
        deletedCheck,
        error.transient ? 'unreachable' : 'configuration',
        `${error.message} [${error.code}]`,
        error.transient ? fixes.unreachable : fixes.refused,
      ),
    ];
  }
}

interface TokenClaims {
  roles?: unknown[];
  scp?: string;
  oid?: string;
  appid?: string;
  app_displayname?: string;
}
