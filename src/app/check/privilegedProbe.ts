/**
 * The privileged-target screen for `check` (docs/privileged-targets.md): when the mapping writes a
 * reset channel, the read of who holds or is eligible for a directory role must work, or the next
 * cycle writes no reset channel for anyone. It reads the same lists the screen reads; writes nothing.
 */
import type { ConnectorConfig } from '../../core/connector';
import { ensureAppError } from '../../core/errors';
import type { Directory } from '../../core/ports';
import { mapsResetChannel } from '../../core/privilegedTarget';
import { ROLE_HOLDER_READS } from '../../core/mappingTargets';
import { fail, pass, skip, type CheckLine } from './checkLine';

const CHECK = 'Graph privileged-target screen';

export async function probePrivilegedRead(directory: Directory, connector: ConnectorConfig): Promise<CheckLine> {
  if (!mapsResetChannel(connector.mappings))
    return skip(CHECK, 'the mappings write no reset channel (otherMails, authenticationEmail): no screen needed');
  try {
    const ids = await directory.privilegedUserIds();
    return pass(
      CHECK,
      `${ids.size} user${ids.size === 1 ? '' : 's'} hold or are eligible for a directory role: their workers will be denied privilegedTarget`,
    );
  } catch (err) {
    const error = ensureAppError(err);
    const refused = error.status === 401 || error.status === 403;
    return fail(
      CHECK,
      refused || !error.transient ? 'configuration' : 'unreachable',
      `${error.message} [${error.code}]`,
      refused
        ? `grant ${ROLE_HOLDER_READS.join(', ')} (infra/grant-graph-permissions.sh); until then no reset channel is written for anyone`
        : 'check GRAPH_BASE_URL and that Graph is reachable from here',
    );
  }
}
