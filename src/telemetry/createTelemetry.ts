/**
 * The Telemetry port's one factory: Application Insights when a connection string is set,
 * else the log. Call it once at start-up (the Azure Monitor distro is process-wide).
 */
import type { TokenCredential } from '@azure/identity';
import type { Logger, Telemetry } from '../core/ports';
import { createOtelTelemetry } from './azureMonitorTelemetry';
import { ingestionCredential } from './ingestionCredential';
import { createLogTelemetry } from './logTelemetry';
import { startAzureMonitor } from './startAzureMonitor';

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
  const sinks = startAzureMonitor({
    connectionString: options.connectionString,
    credential,
    cloudRole: options.cloudRole,
  });
  return createOtelTelemetry(sinks, options.logger);
}
