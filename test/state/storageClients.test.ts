import { TableServiceClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobQueue } from '../../src/state/jobQueue';
import { createLedger } from '../../src/state/ledger';
import { createStorageClients } from '../../src/state/storageClients';
import { startAzurite, type AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
/** An Azurite that was started and stopped: its ports refuse connections. */
let stopped: AzuriteInstance;

beforeAll(async () => {
  [azurite, stopped] = await Promise.all([startAzurite(), startAzurite()]);
  await stopped.stop();
});
afterAll(() => azurite?.stop());

describe('createStorageClients', () => {
  it('creates a missing table and queue on first use, and again is harmless', async () => {
    const settings = { kind: 'connectionString' as const, connectionString: azurite.connectionString };
    await createStorageClients(settings).ensureTable('freshTable');
    await createStorageClients(settings).ensureTable('freshTable');
    const queue = await createStorageClients(settings).ensureQueue('fresh-queue');
    expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
    const service = TableServiceClient.fromConnectionString(azurite.connectionString, {
      allowInsecureConnection: true,
    });
    const names: string[] = [];
    for await (const table of service.listTables()) names.push(table.name ?? '');
    expect(names).toContain('freshTable');
  });

  it('reads UseDevelopmentStorage=true as Azurite on its default ports', () => {
    const clients = createStorageClients({ kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' });
    expect(clients.table('t').url).toBe('http://127.0.0.1:10002/devstoreaccount1');
    expect(clients.queue('worker-jobs').url).toBe('http://127.0.0.1:10001/devstoreaccount1/worker-jobs');
  });

  it('points identity-based clients at the service URIs from the settings', () => {
    const clients = createStorageClients({
      kind: 'identity',
      queueServiceUri: 'https://acct.queue.core.windows.net/',
      tableServiceUri: 'https://acct.table.core.windows.net',
      clientId: '00000000-0000-0000-0000-000000000001',
    });
    expect(clients.queue('worker-jobs').url).toBe('https://acct.queue.core.windows.net/worker-jobs');
    expect(clients.table('attrwriterLedger').url).toBe('https://acct.table.core.windows.net');
    expect(clients.table('attrwriterLedger').tableName).toBe('attrwriterLedger');
  });

  it('reports unreachable storage as a transient STORAGE.UNAVAILABLE, for tables and queues alike', async () => {
    const clients = createStorageClients(
      { kind: 'connectionString', connectionString: stopped.connectionString },
      { maxRetries: 0 },
    );
    await expect(createLedger(clients, 'down').get('W1')).rejects.toMatchObject({
      code: 'STORAGE.UNAVAILABLE',
      transient: true,
    });
    await expect(
      createJobQueue(clients, 'down').enqueue([{ workerId: 'W1', runId: 'c', fields: {}, desiredHash: 'h' }]),
    ).rejects.toMatchObject({
      code: 'STORAGE.UNAVAILABLE',
      transient: true,
    });
  });
});
