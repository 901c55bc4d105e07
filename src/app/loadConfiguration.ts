/**
 * Settings and the connector file for a command, checked together: every missing or bad setting
 * and the connector file's problem come back in one error, so an operator fixes them in one round
 * instead of meeting them one start at a time. The read-only commands ask for storage alone.
 */
import { invalidSettings, readSettings, type Settings } from '../config/settings';
import type { ConnectorConfig } from '../core/connector';
import { type AppError, ensureAppError } from '../core/errors';
import { loadConnector } from './loadConnector';

/** runs, status, escrow: the tables and nothing else (no Workday, no Graph, no connector file). */
export function loadStorageSettings(env: NodeJS.ProcessEnv): Settings {
  const { settings, problems } = readSettings(env, 'storage');
  if (!settings) throw invalidSettings(problems);
  return settings;
}

/** cycle, sweep, resync and the Functions host: everything, each problem named at once. */
export function loadRunConfiguration(env: NodeJS.ProcessEnv): { settings: Settings; connector: ConnectorConfig } {
  const { settings, problems } = readSettings(env, 'all');
  let connector: ConnectorConfig | undefined;
  let connectorProblem: AppError | undefined;
  try {
    connector = loadConnector(settings?.connectorPath ?? (env.CONNECTOR_CONFIG?.trim() || 'connector.json'));
  } catch (err) {
    connectorProblem = ensureAppError(err);
  }
  const missing = workdaySettingsMissing(env, connector?.source.kind);
  if (settings && connector && missing.length === 0) return { settings, connector };
  if (connectorProblem && problems.length === 0 && missing.length === 0) throw connectorProblem;
  return fail([...problems, ...missing, ...(connectorProblem ? [connectorProblem.message] : [])]);
}

function fail(problems: string[]): never {
  throw invalidSettings(problems);
}

// As the settings read them: an empty value is unset.
const isSet = (env: NodeJS.ProcessEnv, name: string): boolean => (env[name] ?? '') !== '';

/**
 * The Workday settings a cycle needs and the environment lacks (a bad value is the schema's to
 * name). With no readable connector file, the URL asked for is either one.
 */
export function workdaySettingsMissing(env: NodeJS.ProcessEnv, sourceKind: 'raas' | 'soap' | undefined): string[] {
  const missing: string[] = [];
  if (!isSet(env, 'WORKDAY_USERNAME'))
    missing.push('WORKDAY_USERNAME is required: the integration system user, e.g. ISU_Entra@contoso');
  if (!isSet(env, 'WORKDAY_PASSWORD'))
    missing.push('WORKDAY_PASSWORD is required: the integration system user password');
  if (sourceKind === 'raas' && !isSet(env, 'WORKDAY_RAAS_URL'))
    missing.push('WORKDAY_RAAS_URL is required: the RaaS report URL, because source.kind is "raas"');
  else if (sourceKind === 'soap' && !isSet(env, 'WORKDAY_SOAP_URL'))
    missing.push('WORKDAY_SOAP_URL is required: the Human_Resources endpoint, because source.kind is "soap"');
  else if (sourceKind === undefined && !isSet(env, 'WORKDAY_RAAS_URL') && !isSet(env, 'WORKDAY_SOAP_URL'))
    missing.push(
      'WORKDAY_RAAS_URL or WORKDAY_SOAP_URL is required: the one that source.kind in the connector file names',
    );
  return missing;
}
