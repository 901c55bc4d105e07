/**
 * The Telemetry port's one factory: Application Insights when a connection string is set,
 * else the log. Call it once at start-up (the Azure Monitor distro is process-wide).
 */
import type { TokenCredential } from '@azure/identity';
import type { Logger, Telemetry } from '../core/ports';
import type * as AzureMonitorTelemetry from './azureMonitorTelemetry';
import { ingestionCredential } from './ingestionCredential';
import { createLogTelemetry } from './logTelemetry';
import type * as StartAzureMonitor from './startAzureMonitor';

export interface TelemetryOptions {
  /** `APPLICATIONINSIGHTS_CONNECTION_STRING`; absent → records go to the logger. */
  connectionString?: string;
  logger: Logger;
  cloudRole?: string;
  /** `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` (`Authorization=AAD;ClientId=…`), from the settings. */
  authenticationString?: string;
  /** An explicit ingestion credential; wins over the one `authenticationString` asks for. */
  credential?: TokenCredential;
}

export function createTelemetry(options: TelemetryOptions): Telemetry {
  if (!options.connectionString) return createLogTelemetry(options.logger);
  const authenticationString = options.authenticationString;
  const credential = options.credential ?? ingestionCredential(authenticationString);
  if (!credential) {
    options.logger.log(
      'warn',
      'APPLICATIONINSIGHTS_AUTHENTICATION_STRING is not Authorization=AAD: ingestion uses the instrumentation key, which a resource with local authentication disabled refuses',
    );
  }
  // Loaded only when Application Insights is on: the Azure Monitor distro is some 2,000 modules,
  // about a second of CPU at every start of a CLI command or host that sends no telemetry.
  const { startAzureMonitor } = require('./startAzureMonitor') as typeof StartAzureMonitor;
  const { createOtelTelemetry } = require('./azureMonitorTelemetry') as typeof AzureMonitorTelemetry;
  const sinks = startAzureMonitor({
    connectionString: options.connectionString,
    credential,
    cloudRole: options.cloudRole,
  });
  return createOtelTelemetry(sinks, options.logger);
}
