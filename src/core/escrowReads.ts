/**
 * Reads of the escrow table that the cycle and the sweep both make: every entry, and which of
 * them now have a user. They live beside both use cases, so neither imports the other.
 */
import type { Dependencies } from './dependencies';
import type { EscrowEntry } from './ports';

export async function listEscrow(deps: Pick<Dependencies, 'escrow'>): Promise<EscrowEntry[]> {
  const entries: EscrowEntry[] = [];
  for await (const entry of deps.escrow.list()) entries.push(entry);
  return entries;
}

/** Lower-cased worker ids of escrowed workers that now have a user: one Graph request per 15, batched. */
export async function peekEscrowed(
  deps: Pick<Dependencies, 'directory'>,
  entries: readonly EscrowEntry[],
): Promise<Set<string>> {
  if (entries.length === 0) return new Set();
  const users = await deps.directory.findUsersByEmployeeIds(entries.map((entry) => entry.workerId.toLowerCase()));
  return new Set([...users].filter(([, matches]) => matches.length > 0).map(([id]) => id));
}

export function escrowSince(entries: readonly EscrowEntry[]): Map<string, Date> {
  return new Map(entries.map((entry) => [entry.workerId, entry.firstSeen]));
}
