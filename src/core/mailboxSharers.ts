/**
 * Who else holds a personal email, for a resync. The cycle counts a mailbox over everything it
 * read plus the ledger's hashes for the workers it did not read; a resync reads one worker, so the
 * ledger alone would miss a second worker who moved to the same mailbox since the last cycle
 * read them. When the mailbox is new to this worker, Workday is asked too: the changes since the
 * last read on a source that can read changes, the whole report on one that cannot.
 */
import { valueHash } from './mapping';
import type { Dependencies } from './dependencies';
import type { LedgerEntry } from './ports';
import { screenWorker } from './screenWorker';
import { parseWorker, type Worker } from './worker';
import { sinceLastRead } from './workdayReads';

/** The number of other in-scope workers on this worker's personal email. */
export async function otherWorkersOnMailbox(
  deps: Dependencies,
  worker: Worker,
  ownRow: LedgerEntry | null,
): Promise<number> {
  const email = worker.fields.personalEmail;
  if (!email) return 0;
  const hash = valueHash(email);
  const self = worker.workerId.toLowerCase();
  const sharers = new Set(
    (await deps.ledger.findByEmailHash(hash))
      .filter((e) => e.lastOutcome !== 'outOfScope' && e.lastOutcome !== 'rejected')
      .map((e) => e.workerId.toLowerCase())
      .filter((id) => id !== self),
  );
  // A mailbox this worker already had was checked against everyone when it was planned; a worker
  // who took it since is caught by their own resync or the next cycle, which sees this hash.
  if (ownRow?.emailHash === hash) return sharers.size;
  for await (const raw of deps.source.readWorkers(await sinceLastRead(deps))) {
    const parsed = parseWorker(raw, deps.connector.source.fields);
    const id = (parsed.ok ? parsed.worker.workerId : parsed.workerId)?.toLowerCase();
    if (!id || id === self) continue;
    // Workday's current data replaces what the ledger remembered: a worker who moved away no longer counts.
    const sharing =
      parsed.ok &&
      !screenWorker(deps.connector, parsed.worker) &&
      !!parsed.worker.fields.personalEmail &&
      valueHash(parsed.worker.fields.personalEmail) === hash;
    if (sharing) sharers.add(id);
    else sharers.delete(id);
  }
  return sharers.size;
}
