/**
 * Dry-run predictions in Table storage (`${prefix}DryRun`), one row per worker, apart from the
 * ledger: a dry run records here and nowhere else (src/core/predictions.ts says why).
 */
import type { Outcome } from '../core/outcome';
import type { Prediction, PredictionStore } from '../core/ports';
import { readDate } from './entityValues';
import { toStorageError } from './storageErrors';
import type { StorageClients } from './storageClients';
import { encodeKey, tableName } from './tableKeys';

const PARTITION = 'prediction';

export function createPredictionStore(clients: StorageClients, tablePrefix: string): PredictionStore {
  const name = tableName(tablePrefix, 'DryRun');
  return {
    async *list() {
      const client = await clients.ensureTable(name);
      try {
        for await (const entity of client.listEntities<Record<string, unknown>>({
          queryOptions: { filter: `PartitionKey eq '${PARTITION}'` },
        })) {
          const predictedAt = readDate(entity, 'predictedAt');
          if (!predictedAt || typeof entity.outcome !== 'string') continue;
          yield {
            workerId: String(entity.workerId),
            desiredHash: String(entity.desiredHash),
            outcome: JSON.parse(entity.outcome) as Outcome,
            runId: String(entity.runId),
            predictedAt,
            ledgerStamp: String(entity.ledgerStamp),
          } satisfies Prediction;
        }
      } catch (err) {
        throw toStorageError(err, `reading table ${name}`);
      }
    },
    async record(prediction) {
      const client = await clients.ensureTable(name);
      try {
        // The one unconditional write of the app, on purpose: a prediction is a cache that carries
        // what it was made from (the desired hash and the ledger row's stamp) and is taken again
        // only while both still match. Two dry runs racing can leave the older prediction, which
        // then costs the next dry run a lookup; it can never stand for a worker that changed.
        await client.upsertEntity(
          {
            partitionKey: PARTITION,
            rowKey: encodeKey(prediction.workerId),
            workerId: prediction.workerId,
            desiredHash: prediction.desiredHash,
            // Outcomes are masked where they are made: the diff and details hold no full email.
            outcome: JSON.stringify(prediction.outcome),
            runId: prediction.runId,
            predictedAt: prediction.predictedAt,
            ledgerStamp: prediction.ledgerStamp,
          },
          'Replace',
        );
      } catch (err) {
        throw toStorageError(err, `recording a dry-run prediction in ${name}`);
      }
    },
  };
}
