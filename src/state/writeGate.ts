/**
 * The shared "writes refused until …" row (in the run table, `${prefix}Runs`, partition `state`):
 * when Graph refuses the app as a whole, every instance stops calling Graph until the moment it
 * names, instead of each job spending its deliveries on PATCHes that cannot succeed. Read at most
 * every few seconds per process; written conditionally (insert-if-absent, else If-Match), and only
 * ever moved later.
 */
import type { TableClient } from '@azure/data-tables';
import type { WriteGate } from '../core/ports';
import { readDate, readString } from './entityValues';
import { isNotFound, statusOf, toStorageError } from './storageErrors';
import type { StorageClients } from './storageClients';
import { tableName } from './tableKeys';

const PARTITION = 'state';
const ROW = 'writesRefused';
/** How long a process trusts what it read; a refusal reaches every instance within this. */
const READ_EVERY_MS = 5_000;

interface Stored {
  until: Date;
  reason: string;
  etag?: string;
}

export function createWriteGate(clients: StorageClients, tablePrefix: string): WriteGate {
  const name = tableName(tablePrefix, 'Runs');
  let cached: { at: number; row: Stored | null } | null = null;

  const read = async (client: TableClient): Promise<Stored | null> => {
    try {
      const entity = await client.getEntity<Record<string, unknown>>(PARTITION, ROW);
      const until = readDate(entity, 'until');
      return until ? { until, reason: readString(entity, 'reason') ?? '', etag: entity.etag as string } : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw toStorageError(err, 'reading the writes-refused row');
    }
  };

  return {
    async refusedNow(now) {
      if (!cached || Date.now() - cached.at > READ_EVERY_MS)
        cached = { at: Date.now(), row: await read(await clients.ensureTable(name)) };
      const row = cached.row;
      return row && row.until.getTime() > now.getTime() ? { until: row.until, reason: row.reason } : null;
    },

    async refuse(until, reason, now) {
      const client = await clients.ensureTable(name);
      for (let attempt = 0; attempt < 5; attempt++) {
        const stored = await read(client);
        const wasInForce = stored !== null && stored.until.getTime() > now.getTime();
        if (stored && stored.until.getTime() >= until.getTime()) {
          cached = { at: Date.now(), row: stored };
          return false;
        }
        const entity = { partitionKey: PARTITION, rowKey: ROW, until, reason };
        try {
          if (!stored) await client.createEntity(entity);
          else if (stored.etag) await client.updateEntity(entity, 'Replace', { etag: stored.etag });
          else continue;
          cached = { at: Date.now(), row: { until, reason } };
          return !wasInForce;
        } catch (err) {
          const status = statusOf(err);
          // Another instance wrote it meanwhile: decide again on what it wrote.
          if (status !== 409 && status !== 412) throw toStorageError(err, 'recording the writes-refused row');
        }
      }
      // Lost every race: other instances are recording the same refusal.
      return false;
    },
  };
}
