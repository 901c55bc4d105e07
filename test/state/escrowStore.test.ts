import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EscrowEntry, EscrowStore } from '../../src/core/ports';
import { createEscrowStore } from '../../src/state/escrowStore';
import { createStorageClients } from '../../src/state/storageClients';
import { startAzurite, type AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let prefix = 0;

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(() => azurite?.stop());

function freshStore(): EscrowStore {
  const clients = createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
  return createEscrowStore(clients, `escrowtest${++prefix}`);
}

const escrowed = (workerId: string, overrides: Partial<EscrowEntry> = {}): EscrowEntry => ({
  workerId,
  reason: 'notFound',
  firstSeen: new Date('2025-03-01T08:00:00.000Z'),
  attempts: 2,
  nextAttempt: new Date('2025-03-01T08:05:00.500Z'),
  job: { workerId, cycleId: 'cycle-7', fields: { personalEmail: 'jane@example.com', countryIso: 'DE' }, desiredHash: 'h', operationId: 'op' },
  ...overrides,
});

async function listAll(store: EscrowStore): Promise<EscrowEntry[]> {
  const entries: EscrowEntry[] = [];
  for await (const entry of store.list()) entries.push(entry);
  return entries;
}

describe('createEscrowStore', () => {
  it('round-trips an entry with its job', async () => {
    const store = freshStore();
    await store.put(escrowed('W1', { reason: 'softDeleted' }));
    expect(await store.get('W1')).toEqual(escrowed('W1', { reason: 'softDeleted' }));
  });

  it.each(["O'Brien", 'a/b#c?', 'José', '1234567890123456'])('stores, finds and removes the awkward id %j', async (workerId) => {
    const store = freshStore();
    await store.put(escrowed(workerId));
    expect(await store.get(workerId)).toEqual(escrowed(workerId));
    await store.remove(workerId);
    expect(await store.get(workerId)).toBeNull();
  });

  it('updates an entry in place when the worker is escrowed again', async () => {
    const store = freshStore();
    await store.put(escrowed('W2'));
    await store.put(escrowed('W2', { attempts: 3, nextAttempt: new Date('2025-03-01T08:15:00.000Z') }));
    expect(await store.get('W2')).toEqual(escrowed('W2', { attempts: 3, nextAttempt: new Date('2025-03-01T08:15:00.000Z') }));
    expect(await listAll(store)).toHaveLength(1);
  });

  it('removes a worker that is not escrowed without complaint', async () => {
    await expect(freshStore().remove('never-escrowed')).resolves.toBeUndefined();
  });

  it('lists every escrowed worker', async () => {
    const store = freshStore();
    const ids = Array.from({ length: 40 }, (_, i) => `E${i}`);
    for (const id of ids) await store.put(escrowed(id));
    await store.remove('E7');
    const listed = await listAll(store);
    expect(listed.map((entry) => entry.workerId).sort()).toEqual(ids.filter((id) => id !== 'E7').sort());
    expect(listed.find((entry) => entry.workerId === 'E3')).toEqual(escrowed('E3'));
  });
});
