/**
 * The deployment's one resource-unit budget, divided among the processes that read Graph now.
 *
 * Each reading process keeps a presence row (`${prefix}Runs`, partition `readers`, row: the
 * process) and replaces it every HEARTBEAT_MS while it reads, then lists the partition. The live
 * readers are the rows the storage stamped (its `Timestamp`) within LIVE_MS of this process's own
 * latest one: storage times compared with storage times, so no clock is shared.
 *
 * Each process spends at most 1 / (live readers + 1) of the budget: the spare share is the room
 * of a process that starts reading before the others have seen it. It takes at most that spare
 * (NEWCOMER_SHARE until its first look, then 1 / (readers + 1) with itself counted), and the
 * others shrink to make a new spare at their next heartbeat; what they spent under their larger
 * share leaves Graph's 10-s window within 10 s. So the sum stays within the budget when one
 * process joins at a time. A process that stops (or dies) stops renewing; the others count it
 * until LIVE_MS has passed, spending less than they could meanwhile, never more.
 *
 * Cost: per reading process one replace and one listing every HEARTBEAT_MS (0.4 operations a
 * second), nothing while it does not read. Rows of processes gone for an hour are deleted by the
 * next listing that sees them.
 */
import { odata, type TableClient } from '@azure/data-tables';
import type { ReadShareSource } from '../graph/readBudget';
import type { StorageClients } from './storageClients';
import { isNotFound } from './storageErrors';
import { tableName } from './tableKeys';

const PARTITION = 'readers';
export const HEARTBEAT_MS = 5_000;
/** A reader whose row the storage stamped longer ago than this (3 heartbeats) has stopped. */
export const LIVE_MS = 15_000;
/** Before its first look a process knows no count: a twentieth is within the spare of up to 19 others. */
export const NEWCOMER_SHARE = 0.05;
const FORGET_MS = 60 * 60_000;

export interface SharedReadBudget extends ReadShareSource {
  /** The readers this process counted at its last look (itself included; 0 before its first look). */
  readers(): number;
  operations(): { reads: number; writes: number };
  /** Removes this process's row (at shutdown), so the others need not wait LIVE_MS to count it out. */
  close(): Promise<void>;
}

export function createSharedReadBudget(
  clients: StorageClients,
  tablePrefix: string,
  timing: { heartbeatMs?: number; liveMs?: number } = {},
): SharedReadBudget {
  const heartbeatMs = timing.heartbeatMs ?? HEARTBEAT_MS;
  const liveMs = timing.liveMs ?? LIVE_MS;
  const id = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const name = tableName(tablePrefix, 'Runs');
  const ops = { reads: 0, writes: 0 };
  let live = 0;
  let lookedAt = Number.NEGATIVE_INFINITY;
  let looking: Promise<void> | null = null;
  let beat = 0;

  // Never created here: `check` and the other read-only commands create no table. The table exists
  // once the deployment recorded a run; before that no other process can be reading for it.
  const table = (): TableClient => clients.table(name);

  const look = async (): Promise<void> => {
    const client = table();
    ops.writes++;
    try {
      // Without an ETag on purpose: the row is this process's own (its key is this process's id);
      // no other process writes it, and the only other change, the hour-old sweep below, is conditional.
      await client.upsertEntity({ partitionKey: PARTITION, rowKey: id, beat: beat + 1 }, 'Replace');
    } catch (err) {
      if (!isNotFound(err)) throw err;
      live = 1;
      lookedAt = Date.now();
      return;
    }
    beat++;
    ops.reads++;
    const rows: Array<{ rowKey: string; at: number; etag: string }> = [];
    const listing = client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${PARTITION}` },
    });
    for await (const row of listing)
      rows.push({ rowKey: String(row.rowKey), at: Date.parse(String(row.timestamp)), etag: String(row.etag) });
    const mine = rows.find((row) => row.rowKey === id)?.at;
    if (mine === undefined || !Number.isFinite(mine)) return;
    live = Math.max(1, rows.filter((row) => mine - row.at <= liveMs).length);
    lookedAt = Date.now();
    for (const row of rows.filter((r) => mine - r.at > FORGET_MS)) {
      ops.writes++;
      await client.deleteEntity(PARTITION, row.rowKey, { etag: row.etag }).catch(() => undefined);
    }
  };

  return {
    share() {
      const now = Date.now();
      if (!looking && now - lookedAt >= heartbeatMs)
        looking = look()
          .catch(() => undefined)
          .finally(() => {
            looking = null;
          });
      // Not looked yet, or not for long enough that the others may have counted us out: a newcomer.
      if (live === 0 || now - lookedAt > liveMs) return NEWCOMER_SHARE;
      return 1 / (live + 1);
    },
    readers: () => live,
    operations: () => ({ ...ops }),
    async close() {
      await looking;
      // A process that never read has no row (and need not touch the table at all).
      if (beat === 0) return;
      await table()
        .deleteEntity(PARTITION, id)
        .catch(() => undefined);
    },
  };
}
