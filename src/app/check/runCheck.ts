/**
 * `attribute-writer check`: can the next cycle work? Each line passes or fails with its fix.
 * Nothing is written anywhere: no table or queue is created, no job enqueued, no run recorded,
 * no Graph write, and no telemetry leaves the process.
 */
import type { TokenCredential } from '@azure/identity';
import { invalidSettings, readSettings, type Settings } from '../../config/settings';
import type { ConnectorConfig } from '../../core/connector';
import { ensureAppError } from '../../core/errors';
import type { Logger } from '../../core/ports';
import { workdaySettingsMissing } from '../loadConfiguration';
import { loadConnector } from '../loadConnector';
import { buildServices, type AppServices } from '../services';
import { fail, pass, reportOf, skip, type CheckLine, type CheckReport } from './checkLine';
import { NO_CREDENTIAL_FIX, probeGraphReads, probeGraphRoles } from './graphProbes';
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
  const { settings, problems } = readSettings(env);
  let connector: ConnectorConfig | undefined;
  let connectorProblem: string | undefined;
  try {
    connector = loadConnector(settings?.connectorPath ?? (env.CONNECTOR_CONFIG || 'connector.json'));
  } catch (err) {
    connectorProblem = ensureAppError(err).message;
  }
  // Every missing or bad setting in one line, the Workday ones for the source the connector names.
  const settingsProblems = [...problems, ...workdaySettingsMissing(env, connector?.source.kind)];
  lines.push(
    settings && settingsProblems.length === 0
      ? pass('settings', settingsSummary(settings))
      : fail(
          'settings',
          'configuration',
          invalidSettings(settingsProblems).message,
          'set or correct the settings named above (environment, or local.settings.json with func start)',
        ),
  );
  lines.push(
    connector
      ? pass(
          'connector file',
          `${connectorPathOf(settings, env)}: source ${connector.source.kind}, mappings ${connector.mappings.map((m) => `${m.source} → ${m.target}`).join(', ')}`,
        )
      : fail(
          'connector file',
          'configuration',
          connectorProblem ?? '',
          'fix the connector file (connector.schema.json helps in an editor) or point CONNECTOR_CONFIG at it',
        ),
  );
  if (!settings) return reportOf(lines);
  let services: AppServices | undefined;
  if (connector && settingsProblems.length === 0) {
    // Telemetry off: check must leave no trace in Application Insights either.
    services = buildServices(
      { ...settings, appInsightsConnectionString: undefined },
      { logger: options.logger, connector },
    );
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
    const roles = await probeGraphRoles(settings, connector, settings.connectorPath, options.credential);
    lines.push(roles);
    if (roles.fix === NO_CREDENTIAL_FIX) {
      // Without a token every Graph line would only repeat the same failure as an outage.
      lines.push(skip('Graph reads', 'not tried: no Azure credential on this machine (see the line above)'));
      return reportOf(lines);
    }
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

function connectorPathOf(settings: Settings | undefined, env: NodeJS.ProcessEnv): string {
  return settings?.connectorPath ?? (env.CONNECTOR_CONFIG || 'connector.json');
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
