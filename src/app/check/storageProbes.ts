/**
 * Read-only probes of the app's tables and queues. The stores' own clients create a missing
 * table or queue on first use (`ensureTable`, `ensureQueue`), so `check` goes around them: it
 * reads one entity of each table and the properties of each queue, and creates nothing.
 */
import type { Settings } from '../../config/settings';
import { ensureAppError } from '../../core/errors';
import { createStorageClients } from '../../state/storageClients';
import { statusOf, toStorageError } from '../../state/storageErrors';
import { tableName } from '../../state/tableKeys';
import { fail, pass, type CheckLine } from './checkLine';

/** The stores' table suffixes (src/state): ledger, escrow, run history, read watermarks. */
const TABLE_SUFFIXES = ['Ledger', 'Escrow', 'Runs', 'Watermarks'] as const;

type Probe =
  | { state: 'present'; count?: number }
  | { state: 'missing' }
  | { state: 'refused'; message: string }
  | { state: 'unreachable'; message: string };

export async function probeStorage(settings: Settings): Promise<CheckLine[]> {
  // One retry, not the SDK's default minute of them: an operator is waiting for the answer.
  const clients = createStorageClients(settings.storage, { maxRetries: 1 });
  const where =
    settings.storage.kind === 'identity'
      ? `identity-based (${new URL(settings.storage.tableServiceUri).host})`
      : 'connection string';
  const tables = TABLE_SUFFIXES.map((suffix) => tableName(settings.tablePrefix, suffix));
  const queues = [settings.queueName, `${settings.queueName}-poison`];
  const tableProbes = await Promise.all(
    tables.map((name) =>
      probe(`reading table ${name}`, async () => {
        await clients
          .table(name)
          .listEntities({ queryOptions: { select: ['PartitionKey'] } })
          .byPage({ maxPageSize: 1 })
          .next();
        return undefined;
      }),
    ),
  );
  const queueProbes = await Promise.all(
    queues.map((name) =>
      probe(
        `reading queue ${name}`,
        async () => (await clients.queue(name).getProperties()).approximateMessagesCount ?? 0,
      ),
    ),
  );
  return [
    lineOf('storage tables', where, tables, tableProbes, 'Storage Table Data Contributor'),
    lineOf('storage queues', where, queues, queueProbes, 'Storage Queue Data Contributor'),
  ];
}

async function probe(action: string, read: () => Promise<number | undefined>): Promise<Probe> {
  try {
    const count = await read();
    return count === undefined ? { state: 'present' } : { state: 'present', count };
  } catch (err) {
    const status = statusOf(err);
    if (status === 404) return { state: 'missing' };
    const error = ensureAppError(toStorageError(err, action));
    if (status === 401 || status === 403) return { state: 'refused', message: error.message };
    return { state: 'unreachable', message: error.message };
  }
}

function lineOf(check: string, where: string, names: string[], probes: Probe[], role: string): CheckLine {
  const refused = probes.find((p): p is Extract<Probe, { state: 'refused' }> => p.state === 'refused');
  if (refused) {
    return fail(
      check,
      'configuration',
      refused.message,
      `give the identity running this the '${role}' role on the storage account (or fix the key in AzureWebJobsStorage)`,
    );
  }
  const down = probes.find((p): p is Extract<Probe, { state: 'unreachable' }> => p.state === 'unreachable');
  if (down)
    return fail(
      check,
      'unreachable',
      down.message,
      'check AzureWebJobsStorage (or its __queueServiceUri/__tableServiceUri) and that the storage account answers from here',
    );
  const present: string[] = [];
  const missing: string[] = [];
  names.forEach((name, i) => {
    const p = probes[i] as Probe;
    if (p.state !== 'present') missing.push(name);
    else present.push(p.count === undefined ? name : `${name} (${p.count} message${p.count === 1 ? '' : 's'})`);
  });
  const parts = [
    present.length ? `reachable: ${present.join(', ')}` : 'reachable',
    missing.length ? `not created yet (the first run creates them): ${missing.join(', ')}` : '',
  ];
  return pass(check, `${where}, ${parts.filter(Boolean).join('; ')}`);
}
