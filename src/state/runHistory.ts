/**
 * Per-run summaries in Table storage (`${prefix}Runs`). The RowKey counts down with the start
 * time, so the newest runs come first and `latest(n)` is one short query.
 */
import type { TableClient } from '@azure/data-tables';
import { emptyCounts, type OutcomeCounts } from '../core/outcome';
import type { RunHistory, RunKind, RunRecord } from '../core/ports';
import { defined, jsonProperties, readDate, readJson, readString, type EntityProperties } from './entityValues';
import { storageCall } from './storageErrors';
import type { StorageClients } from './storageClients';
import { encodeKey, invertedTimeKey, tableName } from './tableKeys';

/** One partition: a few runs an hour is far below a partition's limits, and keeps order global. */
const PARTITION = 'runs';
const MAX_PAGE_SIZE = 1000;

export function createRunHistory(clients: StorageClients, tablePrefix: string): RunHistory {
  const name = tableName(tablePrefix, 'Runs');
  return {
    async record(run) {
      const client = await clients.ensureTable(name);
      const entity = { partitionKey: PARTITION, rowKey: `${invertedTimeKey(run.startedAt)}_${encodeKey(run.runId)}`, ...toProperties(run) };
      await storageCall(`recording run ${run.runId}`, () => client.upsertEntity(entity, 'Replace'));
    },
    async latest(limit) {
      if (limit <= 0) return [];
      return newest(await clients.ensureTable(name), limit);
    },
  };
}

async function newest(client: TableClient, limit: number): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  const pages = client.listEntities<EntityProperties>().byPage({ maxPageSize: Math.min(limit, MAX_PAGE_SIZE) });
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
    note: run.note,
    ...jsonProperties('counts', run.counts),
  });
}

function fromEntity(entity: EntityProperties): RunRecord {
  const number = (name: string) => (typeof entity[name] === 'number' ? (entity[name] as number) : 0);
  const note = readString(entity, 'note');
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
    ...(note !== undefined ? { note } : {}),
  };
}
