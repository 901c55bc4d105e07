/**
 * The app's own table and queue clients, built from the same settings the Functions host reads
 * (AzureWebJobsStorage): a connection string locally, managed identity in Azure.
 */
import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import { QueueClient, type StoragePipelineOptions } from '@azure/storage-queue';
import type { StorageSettings } from '../config/settings';
import { azureCredential } from '../config/azureIdentity';
import { storageCall } from './storageErrors';

export interface StorageClients {
  /** The table's client; use `ensureTable` when the table may not exist yet. */
  table(name: string): TableClient;
  queue(name: string): QueueClient;
  /** The table's client, after creating the table if it is missing (once per process). */
  ensureTable(name: string): Promise<TableClient>;
  /** The queue's client, after creating the queue if it is missing (once per process). */
  ensureQueue(name: string): Promise<QueueClient>;
}

export interface StorageClientOptions {
  /** Retries the SDK makes itself before a call fails; tests lower it to fail fast. */
  maxRetries?: number;
}

/** Created-if-missing, per endpoint and name: shared by every client set in the process. */
const ensured = new Map<string, Promise<void>>();

export function createStorageClients(storage: StorageSettings, options: StorageClientOptions = {}): StorageClients {
  const factory =
    storage.kind === 'connectionString'
      ? connectionStringFactory(storage.connectionString, options)
      : identityFactory(storage, options);
  const tables = new Map<string, TableClient>();
  const queues = new Map<string, QueueClient>();
  const table = (name: string) => cached(tables, name, factory.table);
  const queue = (name: string) => cached(queues, name, factory.queue);
  return {
    table,
    queue,
    async ensureTable(name) {
      const client = table(name);
      await once(`table|${client.url}|${name}`, () =>
        storageCall(`creating table ${name}`, () => client.createTable()),
      );
      return client;
    },
    async ensureQueue(name) {
      const client = queue(name);
      await once(`queue|${client.url}`, () =>
        storageCall(`creating queue ${name}`, async () => void (await client.createIfNotExists())),
      );
      return client;
    },
  };
}

interface ClientFactory {
  table(name: string): TableClient;
  queue(name: string): QueueClient;
}

function connectionStringFactory(connectionString: string, options: StorageClientOptions): ClientFactory {
  const tableOptions: TableServiceClientOptions = {
    ...tableRetry(options),
    // Azurite speaks plain http; the SDK refuses http unless told (it does so itself only for UseDevelopmentStorage=true).
    allowInsecureConnection: usesHttp(connectionString),
  };
  return {
    table: (name) => TableClient.fromConnectionString(connectionString, name, tableOptions),
    queue: (name) => new QueueClient(connectionString, name, queueRetry(options)),
  };
}

function identityFactory(
  storage: Extract<StorageSettings, { kind: 'identity' }>,
  options: StorageClientOptions,
): ClientFactory {
  const credential = azureCredential(storage.clientId);
  const queueBase = storage.queueServiceUri.replace(/\/+$/, '');
  return {
    table: (name) => new TableClient(storage.tableServiceUri, name, credential, tableRetry(options)),
    queue: (name) => new QueueClient(`${queueBase}/${name}`, credential, queueRetry(options)),
  };
}

function usesHttp(connectionString: string): boolean {
  return (
    /(^|;)\s*DefaultEndpointsProtocol=http\s*(;|$)/i.test(connectionString) ||
    /(^|;)\s*TableEndpoint=http:/i.test(connectionString)
  );
}

function tableRetry(options: StorageClientOptions): TableServiceClientOptions {
  return options.maxRetries === undefined
    ? {}
    : { retryOptions: { maxRetries: options.maxRetries, retryDelayInMs: 200 } };
}

function queueRetry(options: StorageClientOptions): StoragePipelineOptions {
  return options.maxRetries === undefined
    ? {}
    : { retryOptions: { maxTries: options.maxRetries + 1, retryDelayInMs: 200 } };
}

function cached<T>(map: Map<string, T>, name: string, make: (name: string) => T): T {
  let client = map.get(name);
  if (!client) {
    client = make(name);
    map.set(name, client);
  }
  return client;
}

/** Runs `create` once per key; a failed attempt is forgotten so the next call tries again. */
function once(key: string, create: () => Promise<void>): Promise<void> {
  let pending = ensured.get(key);
  if (!pending) {
    pending = create().catch((err: unknown) => {
      ensured.delete(key);
      throw err;
    });
    ensured.set(key, pending);
  }
  return pending;
}
