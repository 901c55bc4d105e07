/**
 * Who runs a CLI command, for the run record: the Azure identity the CLI writes Graph with, when
 * one is configured (GRAPH_AUTH=azure: the same credential the Graph client uses), else the
 * operating-system user. Asking never stops a command: an identity that gives no token leaves
 * the OS user on record, and the command then fails or succeeds on its own.
 */
import { userInfo } from 'node:os';
import type { TokenCredential } from '@azure/identity';
import type { Settings } from '../config/settings';
import { maskPersonalData } from '../core/mask';
import type { Requester } from '../core/ports';
import { graphScope } from '../graph/graphToken';
import { azureCredential, tokenClaims } from '../config/azureIdentity';

export async function cliOperator(settings: Settings, credential?: TokenCredential): Promise<Requester> {
  if (settings.graph.auth === 'azure') {
    const identity = credential ?? azureCredential(settings.graph.clientId);
    try {
      const token = await identity.getToken(graphScope(settings.graph.baseUrl));
      const entra = token ? requesterOfToken(token.token) : null;
      if (entra) return entra;
    } catch {
      // No Azure identity here after all: the OS user is who ran it.
    }
  }
  return osUser();
}

export function osUser(): Requester {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    // A container user with no passwd entry.
    name = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
  return { source: 'os', name: name.slice(0, 128) };
}

/** The token is our own, just issued: it is read for names, not trusted for access. */
function requesterOfToken(token: string): Requester | null {
  const claims = tokenClaims(token);
  if (typeof claims.oid !== 'string') return null;
  const text = (name: string) => (typeof claims[name] === 'string' ? (claims[name] as string) : undefined);
  const userName = text('upn') ?? text('unique_name') ?? text('preferred_username');
  const app = text('appid') ?? text('azp');
  const name = text('name') ?? (userName ? maskPersonalData(userName) : app ? `app ${app}` : 'unnamed principal');
  return { source: 'entra', objectId: claims.oid, name: name.slice(0, 128) };
}
