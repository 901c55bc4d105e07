/**
 * `attribute-writer check`: can the next cycle work? Each line passes or fails with its fix.
 * Nothing is written anywhere: no table or queue is created, no job enqueued, no run recorded,
 * no Graph write, and no telemetry leaves the process.
 */
import type { TokenCredential } from '@azure/identity';
import { loadSettings, type Settings } from '../../config/settings';
import type { ConnectorConfig } from '../../core/connector';
import { ensureAppError } from '../../core/errors';
import type { Logger } from '../../core/ports';
import { loadConnector } from '../loadConnector';
import { buildServices, type AppServices } from '../services';
import { fail, pass, reportOf, skip, type CheckLine, type CheckReport } from './checkLine';
import { probeGraphReads, probeGraphRoles } from './graphProbes';
import { probeSample } from './sampleProbes';
import { probePrivilegedRead } from './privilegedProbe';
import { probeStorage } from './storageProbes';
import { probeScopes, probeWorkdayRead } from './workdayProbes';

export interface CheckOptions {
  logger: Logger;
  /** Replaces the identity the Graph token comes from (tests). */
  credential?: TokenCredential;
}

export async function runCheck(env: NodeJS.ProcessEnv, options: CheckOptions): Promise<CheckReport> {
  const lines: CheckLine[] = [];
  let settings: Settings;
  try {
    settings = loadSettings(env);
  } catch (err) {
    lines.push(
      fail(
        'settings',
        'configuration',
        ensureAppError(err).message,
        'set or correct the settings named above (environment, or local.settings.json with func start)',
      ),
    );
    return reportOf(lines);
  }
  let connector: ConnectorConfig | undefined;
  try {
    connector = loadConnector(settings.connectorPath);
  } catch (err) {
    lines.push(pass('settings', settingsSummary(settings)));
    lines.push(
      fail(
        'connector file',
        'configuration',
        ensureAppError(err).message,
        'fix the connector file (connector.schema.json helps in an editor) or point CONNECTOR_CONFIG at it',
      ),
    );
  }
  let services: AppServices | undefined;
  if (connector) {
    try {
      // Telemetry off: check must leave no trace in Application Insights either.
      services = buildServices(
        { ...settings, appInsightsConnectionString: undefined },
        { logger: options.logger, connector },
      );
      lines.push(pass('settings', settingsSummary(settings)));
      lines.push(
        pass(
          'connector file',
          `${settings.connectorPath}: source ${connector.source.kind}, mappings ${connector.mappings.map((m) => `${m.source} → ${m.target}`).join(', ')}`,
        ),
      );
    } catch (err) {
      lines.push(
        fail(
          'settings',
          'configuration',
          ensureAppError(err).message,
          'set the Workday settings that source.kind in the connector file needs',
        ),
      );
    }
  }
  try {
    lines.push(...(await probeStorage(settings)));
    if (!services || !connector) {
      lines.push(skip('Workday and Graph', 'not tried: the settings or the connector file are not valid'));
      return reportOf(lines);
    }
    const workday = await probeWorkdayRead(services.source);
    lines.push(workday);
    const scopes =
      workday.status === 'pass' ? await probeScopes(services.source, connector, services.clock.now()) : undefined;
    lines.push(scopes?.line ?? skip('scopes exclusive on current Workday data', 'not tried: Workday did not answer'));
    lines.push(await probeGraphRoles(settings, connector, settings.connectorPath, options.credential));
    const reads = await probeGraphReads(services.directory, scopes?.hybridIds ?? []);
    lines.push(...reads);
    lines.push(await probePrivilegedRead(services.directory, connector));
    if (scopes?.line.status === 'pass' && reads.every((line) => line.status !== 'fail'))
      lines.push(...(await probeSample(scopes.sample, connector, services.directory)));
    return reportOf(lines);
  } finally {
    await services?.close().catch(() => undefined);
  }
}

function settingsSummary(settings: Settings): string {
  const storage = settings.storage.kind === 'identity' ? 'identity-based storage' : 'storage connection string';
  const workday = settings.workday.raasUrl
    ? 'WORKDAY_RAAS_URL'
    : settings.workday.soapUrl
      ? 'WORKDAY_SOAP_URL'
      : 'no Workday URL';
  const flags = [
    settings.dryRun ? 'DRY_RUN on' : '',
    settings.approveHeldCycle ? `APPROVE_HELD_CYCLE=${settings.approveHeldCycle}` : '',
  ].filter(Boolean);
  return `${storage}, ${workday}, Graph ${settings.graph.baseUrl} (GRAPH_AUTH ${settings.graph.auth})${flags.length ? `, ${flags.join(', ')}` : ''}`;
}
