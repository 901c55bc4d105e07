/** Where each source's incremental read resumes, in Table storage (`${prefix}Watermarks`). */
import type { WatermarkStore } from '../core/ports';
import { readDate } from './entityValues';
import type { TableClient } from '@azure/data-tables';
import { AppError } from '../core/errors';
import { isNotFound, statusOf, toStorageError } from './storageErrors';
import type { StorageClients } from './storageClients';
import { encodeKey, tableName } from './tableKeys';

const PARTITION = 'watermark';
const MAX_ATTEMPTS = 12;

async function readRow(client: TableClient, sourceKey: string): Promise<{ value: Date; etag: string } | null> {
  try {
    const entity = await client.getEntity(PARTITION, encodeKey(sourceKey));
    const value = readDate(entity, 'value');
    return value ? { value, etag: entity.etag } : null;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw toStorageError(err, `reading the ${sourceKey} watermark`);
  }
}

export function createWatermarkStore(clients: StorageClients, tablePrefix: string): WatermarkStore {
  const name = tableName(tablePrefix, 'Watermarks');
  return {
    async get(sourceKey) {
      return (await readRow(await clients.ensureTable(name), sourceKey))?.value ?? null;
    },
    async advance(sourceKey, value) {
      const client = await clients.ensureTable(name);
      const entity = { partitionKey: PARTITION, rowKey: encodeKey(sourceKey), sourceKey, value };
      // Forward only, and conditional: two cycles that finish out of order leave the later read's mark.
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const stored = await readRow(client, sourceKey);
        if (stored && stored.value.getTime() >= value.getTime()) return;
        try {
          if (stored) await client.updateEntity(entity, 'Replace', { etag: stored.etag });
          else await client.createEntity(entity);
          return;
        } catch (err) {
          const status = statusOf(err);
          if (status !== 412 && status !== 409 && status !== 404)
            throw toStorageError(err, `moving the ${sourceKey} watermark`);
        }
      }
      throw new AppError(
        'STORAGE.UNAVAILABLE',
        `The ${sourceKey} watermark kept changing under ${MAX_ATTEMPTS} attempts to move it`,
        { transient: true },
      );
    },
  };
}
