/**
 * Starts the Azure Monitor OpenTelemetry distro once per process (it registers global
 * providers; a second start would double every record) and returns the sinks to write to.
 */
import type * as AzureMonitorDistro from '@azure/monitor-opentelemetry';
import { metrics } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import type * as OtelResources from '@opentelemetry/resources';
import type { TokenCredential } from '@azure/identity';
import { INSTRUMENTATION_SCOPE, flushGlobalProviders, type OtelSinks } from './azureMonitorTelemetry';

export interface AzureMonitorOptions {
  connectionString: string;
  /** Entra credential for ingestion; required when the resource has local auth disabled. */
  credential?: TokenCredential;
  /** `cloud_RoleName`; on Azure the distro already uses the function app's name. */
  cloudRole?: string;
}

let started: OtelSinks | undefined;

export function startAzureMonitor(options: AzureMonitorOptions): OtelSinks {
  if (started) return started;
  // Required here, not imported at the top: the distro is some 2,000 modules, about a second of CPU
  // at every start of a CLI command or host that sends no telemetry (createTelemetry's log branch).
  const { useAzureMonitor } = require('@azure/monitor-opentelemetry') as typeof AzureMonitorDistro;
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof OtelResources;
  useAzureMonitor({
    azureMonitorExporterOptions: {
      connectionString: options.connectionString,
      ...(options.credential ? { credential: options.credential } : {}),
    },
    ...(options.cloudRole ? { resource: resourceFromAttributes({ 'service.name': options.cloudRole }) } : {}),
    // Outcome events are the audit trail: never sample them away with the traces.
    samplingRatio: 1,
    enableTraceBasedSamplingForLogs: false,
    enableLiveMetrics: false,
    // The host already records each invocation and its log lines; storage SDK spans would only
    // add a dependency record per table or queue call.
    instrumentationOptions: { azureSdk: { enabled: false } },
  });
  started = {
    logger: logs.getLogger(INSTRUMENTATION_SCOPE),
    meter: metrics.getMeter(INSTRUMENTATION_SCOPE),
    forceFlush: flushGlobalProviders,
  };
  return started;
}
