/** The storage adapters: Table storage stores and the worker-jobs queue, over one set of clients. */
export { createStorageClients, type StorageClients, type StorageClientOptions } from './storageClients';
export { createEscrowStore, createLedger, createRunHistory, createWatermarkStore } from './tables';
export {
  createJobQueue,
  createJobQueueConsumer,
  poisonQueueName,
  type JobQueueConsumer,
  type JobQueueConsumerOptions,
  type ReceivedJob,
} from './jobQueue';
export { decodeJobMessage, encodeJobMessage, MAX_MESSAGE_BYTES } from './jobMessage';
export { startAzurite, type AzuriteInstance } from './azurite';
