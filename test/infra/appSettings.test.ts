/**
 * The app settings the Bicep gives the function app (infra/app/api.bicep, `var appSettings`)
 * against the settings the code reads (SETTING_NAMES in src/config/settings.ts): each one is
 * either set in Azure or deliberately left out, for a stated reason.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOB_QUEUE, loadSettings, SETTING_NAMES } from '../../src/config/settings';
import {
  INFRA,
  objectProperties,
  parseBicepFile,
  propertyKey,
  propertyValue,
  stringValue,
  variable,
  type SyntaxNode,
} from './bicep';

/** Settings the code knows that Azure must not get, and why. */
const NOT_SET_IN_AZURE: Record<string, string> = {
  AzureWebJobsStorage:
    'a connection string holds the account key; the storage account refuses shared keys, so Azure uses the identity-based AzureWebJobsStorage__* settings',
  LOG_LEVEL: 'the default (info) is what Azure wants; an operator lowers or raises it by hand while diagnosing',
  APPROVE_HELD_CYCLE:
    'a one-shot approval an operator sets by hand for one held cycle; a value deployed with the app would approve again on every provision',
};

/** Settings the host or platform reads that are not in the code's schema, and why each is needed. */
const HOST_SETTINGS: Record<string, string> = {
  AzureWebJobsStorage__blobServiceUri: 'the host keeps timer schedules and singleton locks in blobs',
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING:
    'ingestion with the managed identity (local auth is disabled); also read by src/telemetry',
  AzureFunctionsJobHost__extensions__queues__batchSize:
    'concurrent queue jobs per instance, whose Graph calls share $batch requests (write-rate arithmetic in api.bicep)',
  AzureFunctionsJobHost__extensions__queues__newBatchThreshold:
    'the next batch once half of the jobs are done, so that one instance supplies the whole write ceiling',
};

const api = parseBicepFile(join(INFRA, 'app/api.bicep'));

/** Property nodes of `var appSettings`, following union(...) into the variables it merges. */
function appSettingProperties(root: SyntaxNode): Map<string, SyntaxNode> {
  const settings = new Map<string, SyntaxNode>();
  const collect = (node: SyntaxNode | undefined): void => {
    if (!node) return;
    if (node.type === 'object') for (const p of objectProperties(node)) settings.set(propertyKey(p), propertyValue(p));
    else if (node.type === 'identifier') collect(variable(root, node.text));
    else if (node.type === 'call_expression' && node.childForFieldName('function')?.text === 'union') {
      node.childForFieldName('arguments')?.namedChildren.forEach(collect);
    }
  };
  collect(variable(root, 'appSettings'));
  return settings;
}

const settings = appSettingProperties(api);
const literal = (name: string) => stringValue(settings.get(name));

describe('function app settings', () => {
  it('finds the settings object', () => {
    expect(settings.size).toBeGreaterThan(10);
  });

  it.each(SETTING_NAMES.map((name) => [name]))('%s is set in Azure or deliberately left out', (name) => {
    expect(settings.has(name) || name in NOT_SET_IN_AZURE).toBe(true);
  });

  it('leaves out what it says it leaves out', () => {
    expect(Object.keys(NOT_SET_IN_AZURE).filter((name) => settings.has(name))).toEqual([]);
  });

  it('sets nothing the code or the host does not read (no typo goes unnoticed)', () => {
    const unknown = [...settings.keys()].filter((name) => !SETTING_NAMES.includes(name) && !(name in HOST_SETTINGS));
    expect(unknown).toEqual([]);
  });

  it('uses the managed identity for storage, as the host and the code expect', () => {
    expect(literal('AzureWebJobsStorage__credential')).toBe('managedidentity');
    expect(settings.get('AzureWebJobsStorage__clientId')?.text).toBe('identityClientId');
    expect(settings.get('AZURE_CLIENT_ID')?.text).toBe('identityClientId');
  });

  it('reads Graph with the managed identity, never without auth', () => {
    expect(literal('GRAPH_AUTH')).toBe('azure');
  });

  it('references the Workday password in Key Vault instead of holding it', () => {
    expect(settings.get('WORKDAY_PASSWORD')?.text).toMatch(
      /^'@Microsoft\.KeyVault\(SecretUri=\$\{workdayPasswordSecretUri\}\)'$/,
    );
  });

  it('authenticates ingestion with Entra ID as the app identity', () => {
    expect(settings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')?.text).toBe(
      "'ClientId=${identityClientId};Authorization=AAD'",
    );
  });

  // Otherwise loadSettings throws at start-up in Azure and every function invocation fails.
  it('sets an APPLICATIONINSIGHTS_AUTHENTICATION_STRING the settings schema accepts', () => {
    const deployed = settings
      .get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')
      ?.text.replace(/^'|'$/g, '')
      .replace(/\$\{[^}]*\}/g, '0b7e4f0e-1111-2222-3333-444455556666');
    expect(deployed).toBeDefined();
    expect(() =>
      loadSettings({
        AzureWebJobsStorage__queueServiceUri: 'https://account.queue.core.windows.net',
        AzureWebJobsStorage__tableServiceUri: 'https://account.table.core.windows.net',
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING: deployed,
        // A Key Vault reference in Azure, resolved by the platform before the app reads it.
        EMAIL_HASH_KEY: 'resolved-from-key-vault-0123456789abcdef',
      }),
    ).not.toThrow();
  });

  it('never puts an account key or instrumentation key in a setting', () => {
    const text = [...settings.values()].map((v) => v.text).join('\n');
    expect(text).not.toMatch(/listKeys|AccountKey=|InstrumentationKey=/);
  });

  it('creates the job queue the queue trigger binds to', () => {
    expect(stringValue(variable(parseBicepFile(join(INFRA, 'main.bicep')), 'queueName'))).toBe(JOB_QUEUE);
  });

  // With 0 every batch of 32 waited for its slowest job: one instance wrote at ~70 % of the ceiling.
  it('fetches the next batch of jobs once half of them are done', () => {
    expect(settings.get('AzureFunctionsJobHost__extensions__queues__newBatchThreshold')?.text).toBe(
      'string(queueBatchSize)',
    );
  });
});
