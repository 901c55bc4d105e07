/** Where each source's incremental read resumes, in Table storage (`${prefix}Watermarks`). */
import type { WatermarkStore } from '../core/ports';
import { readDate } from './entityValues';
import { isNotFound, storageCall, toStorageError } from './storageErrors';
import type { StorageClients } from './storageClients';
import { encodeKey, tableName } from './tableKeys';

const PARTITION = 'watermark';

export function createWatermarkStore(clients: StorageClients, tablePrefix: string): WatermarkStore {
  const name = tableName(tablePrefix, 'Watermarks');
  return {
    async get(sourceKey) {
      const client = await clients.ensureTable(name);
      try {
        return readDate(await client.getEntity(PARTITION, encodeKey(sourceKey)), 'value') ?? null;
      } catch (err) {
        if (isNotFound(err)) return null;
        throw toStorageError(err, `reading the ${sourceKey} watermark`);
      }
    },
    async set(sourceKey, value) {
      const client = await clients.ensureTable(name);
      const entity = { partitionKey: PARTITION, rowKey: encodeKey(sourceKey), sourceKey, value };
      await storageCall(`moving the ${sourceKey} watermark`, () => client.upsertEntity(entity, 'Replace'));
    },
  };
}
