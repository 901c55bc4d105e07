/**
 * Per-run summaries in Table storage (`${prefix}Runs`). The RowKey counts down with the start
 * time, so the newest runs come first and `latest(n)` is one short query.
 */
import { odata, type TableClient, type TableEntity } from '@azure/data-tables';
import { emptyCounts, type OutcomeCounts } from '../core/outcome';
import type { Requester, RunHistory, RunKind, RunRecord } from '../core/ports';
import { defined, jsonProperties, readDate, readJson, readString, type EntityProperties } from './entityValues';
import { statusOf, storageCall, toStorageError } from './storageErrors';
import type { StorageClients } from './storageClients';
import { createRunWorkers } from './runWorkers';
import { encodeKey, invertedTimeKey, tableName } from './tableKeys';

/** One partition: a few runs an hour is far below a partition's limits, and keeps order global. */
const PARTITION = 'runs';
/** Approvals of held cycles, one row per held run id, each claimed once. */
const APPROVALS = 'approvals';
/**
 * Indexes of real cycles by what the guard did: held ones, and ones that went through. A held
 * plan is found from these without a window, however many sweeps and resyncs ran since.
 */
const HELD = 'held';
const THROUGH = 'through';
const MAX_PAGE_SIZE = 1000;

export function createRunHistory(clients: StorageClients, tablePrefix: string): RunHistory {
  const name = tableName(tablePrefix, 'Runs');
  const workers = createRunWorkers(clients, tablePrefix);
  async function heldAwaitingApproval(): Promise<RunRecord[]> {
    const client = await clients.ensureTable(name);
    const [through] = await newest(client, 1, THROUGH);
    const since = through ? `${invertedTimeKey(through.startedAt)}_${encodeKey(through.runId)}` : null;
    // Row keys count down with the shared time: a held cycle newer than the last one through sorts first.
    const filter = since ? odata`PartitionKey eq ${HELD} and RowKey lt ${since}` : odata`PartitionKey eq ${HELD}`;
    return newest(client, Number.MAX_SAFE_INTEGER, HELD, filter);
  }
  return {
    async record(run, decided = []) {
      const client = await clients.ensureTable(name);
      const entity = {
        partitionKey: PARTITION,
        rowKey: `${invertedTimeKey(run.startedAt)}_${encodeKey(run.runId)}`,
        ...toProperties(run),
      };
      // A run id is new each run: a second record of it is a redelivery, and the first one stands.
      await insertIfAbsent(client, entity, `recording run ${run.runId}`);
      // A cycle that stopped while planning (a bad --approve id, Workday unreadable) neither held
      // nor let anything through: indexed as through, it would make the held plan look superseded.
      const stoppedInPlanning = run.stopped !== undefined && run.enqueued === 0;
      if (run.kind === 'cycle' && !run.dryRun && (run.held || !stoppedInPlanning))
        await insertIfAbsent(
          client,
          { ...entity, partitionKey: run.held ? HELD : THROUGH },
          `indexing run ${run.runId}`,
        );
      // Planning is over: from now on the run's last job to settle knows it is the last.
      const { settled } = await workers.recordRun(run, decided);
      return { ...run, settled };
    },
    settle: workers.settle,
    workersOf: workers.workersOf,
    get: workers.recordOf,
    async claimApproval(heldRunId, claimedBy) {
      const client = await clients.ensureTable(name);
      const entity = { partitionKey: APPROVALS, rowKey: encodeKey(heldRunId), heldRunId, claimedBy };
      return insertIfAbsent(client, entity, `claiming the approval of ${heldRunId}`);
    },
    async latest(limit) {
      if (limit <= 0) return [];
      const runs = await newest(await clients.ensureTable(name), limit);
      // One point read per run: a page of history costs at most as many reads as it shows runs.
      return Promise.all(
        runs.map(async (run) => {
          const settled = await workers.settledOf(run.runId);
          return settled ? { ...run, settled } : run;
        }),
      );
    },
    heldAwaitingApproval,
    async approveHeld(heldRunId, approver, at) {
      const run = (await heldAwaitingApproval()).find((held) => held.runId === heldRunId);
      if (!run) return null;
      const client = await clients.ensureTable(name);
      const rowKey = `${invertedTimeKey(run.startedAt)}_${encodeKey(run.runId)}`;
      const approval = defined({
        approvalBySource: approver.source,
        approvalById: approver.objectId,
        approvalByName: approver.name,
        approvalAt: at,
      });
      // Merge: the approval is added to the record and its held index; a second approval names the last approver.
      for (const partitionKey of [HELD, PARTITION])
        await storageCall(`recording the approval of ${heldRunId}`, () =>
          client.updateEntity({ partitionKey, rowKey, ...approval }, 'Merge'),
        );
      return { ...run, approval: { by: approver, at } };
    },
  };
}

/** Creates the entity unless it exists; false when another writer created it first. */
async function insertIfAbsent(client: TableClient, entity: TableEntity, action: string): Promise<boolean> {
  try {
    await client.createEntity(entity);
    return true;
  } catch (err) {
    if (statusOf(err) === 409) return false;
    throw toStorageError(err, action);
  }
}

async function newest(
  client: TableClient,
  limit: number,
  partition = PARTITION,
  filter = odata`PartitionKey eq ${partition}`,
): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  const pages = client
    .listEntities<EntityProperties>({ queryOptions: { filter } })
    .byPage({ maxPageSize: Math.min(limit, MAX_PAGE_SIZE) });
  while (runs.length < limit) {
    const page = await storageCall('reading the run history', () => pages.next());
    if (page.done) break;
    for (const entity of page.value.slice(0, limit - runs.length)) runs.push(fromEntity(entity));
  }
  return runs;
}

function toProperties(run: RunRecord): EntityProperties {
  return defined({
    runId: run.runId,
    kind: run.kind,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    dryRun: run.dryRun,
    approved: run.approved,
    held: run.held,
    enqueued: run.enqueued,
    graphRequests: run.graphRequests,
    graphThrottled: run.graphThrottled,
    workdayReadMs: run.workdayReadMs,
    changes: run.changes,
    drift: run.drift,
    approvedHeldRun: run.approvedHeldRun,
    note: run.note,
    stopped: run.stopped,
    requestedBySource: run.requestedBy?.source,
    requestedById: run.requestedBy?.objectId,
    requestedByName: run.requestedBy?.name,
    ...jsonProperties('counts', run.counts),
  });
}

function fromEntity(entity: EntityProperties): RunRecord {
  const number = (name: string) => (typeof entity[name] === 'number' ? (entity[name] as number) : 0);
  return {
    runId: readString(entity, 'runId') ?? '',
    kind: (readString(entity, 'kind') ?? 'cycle') as RunKind,
    startedAt: readDate(entity, 'startedAt') ?? new Date(0),
    durationMs: number('durationMs'),
    dryRun: entity.dryRun === true,
    approved: entity.approved === true,
    held: entity.held === true,
    // Codes added after a run was recorded read as zero.
    counts: { ...emptyCounts(), ...readJson<Partial<OutcomeCounts>>(entity, 'counts') },
    enqueued: number('enqueued'),
    graphRequests: number('graphRequests'),
    graphThrottled: number('graphThrottled'),
    workdayReadMs: number('workdayReadMs'),
    changes: optionalNumber(entity.changes),
    drift: optionalNumber(entity.drift),
    approvedHeldRun: readString(entity, 'approvedHeldRun'),
    note: readString(entity, 'note'),
    stopped: readString(entity, 'stopped'),
    requestedBy: requesterOf(entity),
    approval: approvalOf(entity),
  };
}

/** A number column, absent on rows recorded before it existed. */
function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function approvalOf(entity: EntityProperties): RunRecord['approval'] {
  const name = readString(entity, 'approvalByName');
  const at = readDate(entity, 'approvalAt');
  if (name === undefined || at === undefined) return undefined;
  const source = readString(entity, 'approvalBySource') === 'os' ? 'os' : 'entra';
  return { by: { source, name, objectId: readString(entity, 'approvalById') }, at };
}

function requesterOf(entity: EntityProperties): Requester | undefined {
  const name = readString(entity, 'requestedByName');
  if (name === undefined) return undefined;
  const source = readString(entity, 'requestedBySource') === 'entra' ? 'entra' : 'os';
  return { source, name, objectId: readString(entity, 'requestedById') };
}
