/**
 * The composition root: settings and the connector file in, the ports wired to their adapters out.
 * Functions and the CLI both start here, so they run the same use cases on the same dependencies.
 */
import { AppError } from '../core/errors';
import { useHashKey } from '../core/hashKey';
import type { ConnectorConfig } from '../core/connector';
import { isExtensionAttribute } from '../core/mappingTargets';
import type { Dependencies } from '../core/dependencies';
import type { Logger, WorkerSource } from '../core/ports';
import type { Settings } from '../config/settings';
import { createGraphDirectory } from '../graph/graphDirectory';
import { createPredictionStore } from '../state/predictionStore';
import { createWatermarkStore } from '../state/watermarkStore';
import { createWriteGate } from '../state/writeGate';
import { createJobQueue, createJobQueueConsumer, type JobQueueConsumer } from '../state/jobQueue';
import { createSharedReadBudget } from '../state/sharedReadBudget';
import { createSharedWriteBudget, type SharedWriteBudget } from '../state/sharedWriteBudget';
import { createStorageClients } from '../state/storageClients';
import { createTelemetry } from '../telemetry/createTelemetry';
import { createRaasSource } from '../workday/raasSource';
import { createSoapSource } from '../workday/soapSource';
import { createEntraCallerVerifier, type CallerVerifier } from './entraCallers';
import { createLogger } from './logger';
import { loadConnector } from './loadConnector';
import { recordStores } from './storageServices';

export interface AppServices extends Dependencies {
  settings: Settings;
  consumer: JobQueueConsumer;
  /** Verifies the HTTP routes' callers; null when AUTH_TENANT_ID or AUTH_CLIENT_ID is unset (every call refused). */
  callers: CallerVerifier | null;
  /** The deployment's one Graph write budget, shared through storage by every process (resync prioritizes). */
  writeBudget: SharedWriteBudget;
  close(): Promise<void>;
}

export interface ServiceOverrides {
  logger?: Logger;
  connector?: ConnectorConfig;
  /** Replaces parts of the wiring (tests use it for clocks and fault-injecting adapters). */
  dependencies?: Partial<Dependencies>;
}

export function buildServices(settings: Settings, overrides: ServiceOverrides = {}): AppServices {
  const logger = overrides.logger ?? createLogger();
  // Before any hash is taken: every ledger and queue hash of this deployment uses its key.
  useHashKey(settings.emailHashKey);
  const connector = overrides.connector ?? loadConnector(settings.connectorPath);
  const clients = createStorageClients(settings.storage);
  const extensionProperties = connector.mappings.map((m) => m.target).filter(isExtensionAttribute);
  // One ceiling for every instance, resync and the CLI of this deployment, taken in turns.
  const writeBudget = createSharedWriteBudget(clients, settings.tablePrefix);
  // And one resource-unit budget, divided among the processes reading now.
  const readBudget = createSharedReadBudget(clients, settings.tablePrefix);
  const directory = createGraphDirectory({
    baseUrl: settings.graph.baseUrl,
    auth: settings.graph.auth,
    clientId: settings.graph.clientId,
    extensionProperties,
    logger,
    pacing: { maxWritesPerSecond: settings.graph.maxWritesPerSecond, readShare: readBudget },
    writeBudget,
  });
  const dependencies: Dependencies = {
    connector,
    source: createSource(settings, connector, logger),
    directory,
    ...recordStores(clients, settings, logger),
    predictions: createPredictionStore(clients, settings.tablePrefix),
    writeGate: createWriteGate(clients, settings.tablePrefix),
    watermarks: createWatermarkStore(clients, settings.tablePrefix),
    queue: createJobQueue(clients, settings.queueName),
    telemetry: createTelemetry({
      connectionString: settings.appInsightsConnectionString,
      authenticationString: settings.appInsightsAuthenticationString,
      logger,
    }),
    logger,
    dryRun: settings.dryRun,
    writePriority: () => writeBudget.prioritize(),
    approveHeldCycle: settings.approveHeldCycle,
    ...overrides.dependencies,
  };
  return {
    ...dependencies,
    settings,
    consumer: createJobQueueConsumer(clients, settings.queueName),
    callers: callerVerifier(settings),
    writeBudget,
    async close() {
      await writeBudget.close().catch(() => undefined);
      await readBudget.close().catch(() => undefined);
      await dependencies.telemetry.flush();
      await (dependencies.directory as { close?: () => Promise<void> }).close?.();
    },
  };
}

function callerVerifier(settings: Settings): CallerVerifier | null {
  const { tenantId, clientId, authorityHost } = settings.auth;
  return tenantId && clientId ? createEntraCallerVerifier({ tenantId, clientId, authorityHost }) : null;
}

function createSource(settings: Settings, connector: ConnectorConfig, logger: Logger): WorkerSource {
  const { workday } = settings;
  const username = required(
    workday.username,
    'WORKDAY_USERNAME',
    'the integration system user, e.g. ISU_Entra@contoso',
  );
  const password = required(workday.password, 'WORKDAY_PASSWORD', 'the integration system user password');
  if (connector.source.kind === 'raas') {
    const reportUrl = required(
      workday.raasUrl,
      'WORKDAY_RAAS_URL',
      'the RaaS report URL, because source.kind is "raas"',
    );
    return createRaasSource({
      reportUrl,
      username,
      password,
      workerPrompt: connector.source.workerPrompt,
      workerIdColumn: connector.source.fields.workerId,
      logger,
      timeoutMs: workday.timeoutMs,
    });
  }
  const endpoint = required(
    workday.soapUrl,
    'WORKDAY_SOAP_URL',
    'the Human_Resources endpoint, because source.kind is "soap"',
  );
  const { pageSize, country, paths } = connector.source;
  return createSoapSource({
    endpoint,
    username,
    password,
    pageSize,
    country,
    logger,
    timeoutMs: workday.timeoutMs,
    paths,
  });
}

function required(value: string | undefined, setting: string, what: string): string {
  if (!value) throw new AppError('CONFIG.INVALID_SETTING', `Invalid settings:\n  - ${setting} is required: ${what}`);
  return value;
}
