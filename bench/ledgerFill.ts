/**
 * Fills the ledger with one `written` entry per worker, as a tenant has after its backfill, but
 * with a desired-state hash that no longer matches: the next cycle then plans a change for every
 * in-scope worker and holds the most it ever holds (the whole ledger, every candidate, every job).
 * Run in the world process, so the entries are built outside the connector being measured.
 */
import { randomUUID } from 'node:crypto';
import { valueHash } from '../src/core/mapping';
import { maskEmail } from '../src/core/mask';
import type { LedgerEntry } from '../src/core/ports';
import { createLedger } from '../src/state/ledger';
import { createStorageClients } from '../src/state/storageClients';
import { personalEmailOf, type SimWorker } from '../sim/world';

export async function fillLedger(
  workers: readonly SimWorker[],
  connectionString: string,
  tablePrefix: string,
): Promise<number> {
  const ledger = createLedger(createStorageClients({ kind: 'connectionString', connectionString }), tablePrefix);
  const now = new Date();
  const entries: LedgerEntry[] = [];
  for (const worker of workers) {
    const email = personalEmailOf(worker);
    if (!worker.workerId || worker.workerId.length > 16 || !email) continue;
    entries.push({
      workerId: worker.workerId,
      lastOutcome: 'written',
      desiredHash: 'stale',
      writtenHashes: { otherMails: valueHash(email), usageLocation: valueHash(worker.businessSiteCountry ?? '') },
      lastChanges: [
        { property: 'otherMails', before: [], after: [maskEmail(email)] },
        { property: 'usageLocation', before: null, after: worker.businessSiteCountry },
      ],
      userId: randomUUID(),
      emailHash: valueHash(email),
      runId: 'cycle-20250101T000000Z-backfill',
      updatedAt: now,
      verifiedAt: now,
    });
  }
  await ledger.changeMany(entries.map((entry) => ({ workerId: entry.workerId, seen: null, decide: () => entry })));
  return entries.length;
}
