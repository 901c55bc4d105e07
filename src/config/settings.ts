/**
 * App settings (environment variables; app settings in Azure, local.settings.json locally).
 * Parsed once at start-up: a bad value stops the app with the setting's name and a good example.
 */
import { z } from 'zod';
import { AppError } from '../core/errors';

/** The default job queue (WORKER_QUEUE_NAME); its poison queue is `<name>-poison`. */
export const JOB_QUEUE = 'worker-jobs';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/**
 * LOG_LEVEL, read before the other settings are checked (the logger reports their errors), so
 * it never throws: anything unknown is `info`, and loadSettings then refuses it by name.
 */
export function logLevelSetting(env: NodeJS.ProcessEnv = process.env): (typeof LOG_LEVELS)[number] {
  const value = (env.LOG_LEVEL ?? 'info').trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(value) ? (value as (typeof LOG_LEVELS)[number]) : 'info';
}
/**
 * The queue triggers' bindings read the queue name from the app setting, so each deployment
 * (and each test's Azurite) names its own queue; the poison queue follows it.
 */
export const JOB_QUEUE_BINDING = '%WORKER_QUEUE_NAME%';
/** The default job queue's poison queue. */
export const POISON_QUEUE = `${JOB_QUEUE}-poison`;
export const POISON_QUEUE_BINDING = `${JOB_QUEUE_BINDING}-poison`;

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

/** `Authorization=AAD` with an optional `ClientId=<guid>`, in either order, as App Insights takes it. */
function isEntraAuthenticationString(value: string): boolean {
  const parts = value
    .split(';')
    .filter(Boolean)
    .map((part) => part.trim());
  const keys = parts.map((part) => part.split('=')[0]?.toLowerCase());
  const wellFormed = parts.every(
    (part) => /^Authorization=AAD$/i.test(part) || /^ClientId=[0-9a-fA-F-]{36}$/i.test(part),
  );
  return wellFormed && keys.includes('authorization') && new Set(keys).size === keys.length;
}

function parsedUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/**
 * An http(s) URL without `user:password@`: credentials in a URL travel into logs, error messages
 * and the portal's settings view. Messages never repeat the value.
 */
const httpUrl = (example: string) =>
  z
    .string()
    .trim()
    .refine(
      (value) => ['http:', 'https:'].includes(parsedUrl(value)?.protocol ?? ''),
      `must be an http(s) URL, e.g. ${example}`,
    )
    .refine((value) => {
      const url = parsedUrl(value);
      return url === null || (url.username === '' && url.password === '');
    }, 'must hold no credentials (user:password@ in the URL): Workday takes WORKDAY_USERNAME and WORKDAY_PASSWORD, Graph and storage a managed identity');

/**
 * An https URL, or http to a loopback address (the simulators): Workday takes the integration
 * user's password with every call, so a plain-http URL to a real host would send it in clear.
 */
const httpsUrl = (example: string) =>
  httpUrl(example).refine((value) => {
    const url = parsedUrl(value);
    return url === null || url.protocol === 'https:' || isLoopbackUrl(value);
  }, `must be an https URL (plain http only to a loopback address), e.g. ${example}`);

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((value) => ['true', 'false', '1', '0', ''].includes(value), "must be 'true' or 'false'")
  .transform((value) => value === 'true' || value === '1');

/** Six-field NCRONTAB (`{second} {minute} {hour} {day} {month} {day-of-week}`), as Functions timers use. */
const ncrontab = (example: string) =>
  z
    .string()
    .trim()
    .refine((value) => {
      const fields = value.split(/\s+/);
      return (
        fields.length === 6 &&
        fields.every((field) =>
          /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?)*$/.test(field),
        )
      );
    }, `must be a six-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week}), e.g. '${example}'`);

export type StorageSettings =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; queueServiceUri: string; tableServiceUri: string; clientId?: string };

const settingsSchema = z
  .object({
    AzureWebJobsStorage: z.string().trim().optional(),
    AzureWebJobsStorage__queueServiceUri: httpUrl('https://<account>.queue.core.windows.net').optional(),
    AzureWebJobsStorage__tableServiceUri: httpUrl('https://<account>.table.core.windows.net').optional(),
    AzureWebJobsStorage__credential: z.literal('managedidentity', { error: "must be 'managedidentity'" }).optional(),
    AzureWebJobsStorage__clientId: z.string().trim().optional(),
    CONNECTOR_CONFIG: z.string().trim().min(1).default('connector.json'),
    WORKDAY_RAAS_URL: httpsUrl(
      'https://wd2-impl-services1.workday.com/ccx/service/customreport2/<tenant>/<owner>/<report>',
    ).optional(),
    WORKDAY_SOAP_URL: httpsUrl('https://<host>/ccx/service/<tenant>/Human_Resources/v44.2').optional(),
    WORKDAY_USERNAME: z
      .string()
      .trim()
      .min(1, 'must name the integration system user, e.g. ISU_Entra@contoso')
      .optional(),
    WORKDAY_PASSWORD: z.string().min(1, 'must hold the integration system user password').optional(),
    /** How long Workday may stay silent (before answering, or mid-answer) before the call counts as failed and is retried. */
    WORKDAY_TIMEOUT_SECONDS: z.coerce
      .number({ error: 'must be a number of seconds, e.g. 120' })
      .int('must be a whole number of seconds, e.g. 120')
      .min(5, 'must be at least 5 seconds')
      .max(300, 'must be at most 300 seconds: a retried call must still end inside the function timeout')
      .default(120),
    GRAPH_BASE_URL: httpUrl('https://graph.microsoft.com')
      .refine(
        (value) => !/\/(v\d+\.\d+|beta)(\/|$)/i.test(value),
        'must hold no version segment, e.g. https://graph.microsoft.com (the client adds /v1.0)',
      )
      .default('https://graph.microsoft.com'),
    GRAPH_MAX_WRITES_PER_SECOND: z.coerce
      .number({ error: 'must be a number of writes per second' })
      .min(0.1, 'must be at least 0.1')
      .max(20, "must be at most 20: Graph's ceiling is 3,000 writes per 150 s per app per tenant")
      .default(20),
    /** The share of the write ceiling left to the tenant's other writers (docs/performance.md, "Headroom"). */
    GRAPH_WRITE_HEADROOM_PERCENT: z.coerce
      .number({ error: 'must be a whole percentage, e.g. 10' })
      .int('must be a whole percentage, e.g. 10')
      .min(0, 'must be at least 0')
      .max(90, 'must be at most 90: the connector must keep some of the ceiling to write at all')
      .default(0),
    GRAPH_AUTH: z.enum(['azure', 'none'], { error: "must be 'azure' or 'none'" }).default('azure'),
    AZURE_CLIENT_ID: z.string().trim().optional(),
    /** The HTTP routes' callers: tokens of this tenant, for this app registration (docs/security.md). */
    AUTH_TENANT_ID: z.string().trim().regex(GUID, 'must be the directory (tenant) id, a GUID').optional(),
    AUTH_CLIENT_ID: z
      .string()
      .trim()
      .regex(GUID, "must be the client id (a GUID) of the app registration that holds the routes' app roles")
      .optional(),
    AUTH_AUTHORITY_HOST: httpsUrl('https://login.microsoftonline.com').default('https://login.microsoftonline.com'),
    ENRICH_SCHEDULE: ncrontab('0 */30 * * * *').default('0 */30 * * * *'),
    ESCROW_SWEEP_SCHEDULE: ncrontab('0 */1 * * * *').default('0 */1 * * * *'),
    DRY_RUN: bool.default(false),
    /** One-shot approval of the held cycle, by its id (docs/design.md, Guards). */
    APPROVE_HELD_CYCLE: z.string().trim().optional(),
    /** The key of the personal-email hashes (src/core/hashKey.ts); a Key Vault reference in Azure. */
    EMAIL_HASH_KEY: z
      .string()
      .min(32, 'must be at least 32 characters of random text, e.g. the output of: openssl rand -base64 48')
      .optional(),
    WORKER_QUEUE_NAME: z
      .string()
      .trim()
      .regex(
        /^[a-z0-9](?!.*--)[a-z0-9-]{1,54}[a-z0-9]$/,
        `must be a storage queue name of 3-56 lower-case letters, digits and single hyphens (room for '-poison'), e.g. ${JOB_QUEUE}`,
      )
      .default(JOB_QUEUE),
    TABLE_PREFIX: z
      .string()
      .trim()
      .regex(/^[A-Za-z][A-Za-z0-9]{0,20}$/, 'must be letters and digits')
      .default('attrwriter'),
    LOG_LEVEL: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }))
      .default('info'),
    APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().trim().optional(),
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: z
      .string()
      .trim()
      .refine(
        isEntraAuthenticationString,
        'must be Authorization=AAD;ClientId=<managed identity client id> (in either order)',
      )
      .optional(),
  })
  .superRefine((s, ctx) => {
    if (s.GRAPH_AUTH === 'none' && !isLoopbackUrl(s.GRAPH_BASE_URL)) {
      ctx.addIssue({
        code: 'custom',
        path: ['GRAPH_AUTH'],
        message: `'none' is refused because GRAPH_BASE_URL (${s.GRAPH_BASE_URL}) is not a loopback address; use 'azure'`,
      });
    }
    const identity = s.AzureWebJobsStorage__queueServiceUri || s.AzureWebJobsStorage__tableServiceUri;
    if (!s.AzureWebJobsStorage && !identity) {
      ctx.addIssue({
        code: 'custom',
        path: ['AzureWebJobsStorage'],
        message:
          "is required: a connection string ('UseDevelopmentStorage=true' locally) or the identity-based __queueServiceUri and __tableServiceUri",
      });
    }
    if (identity && !(s.AzureWebJobsStorage__queueServiceUri && s.AzureWebJobsStorage__tableServiceUri)) {
      ctx.addIssue({
        code: 'custom',
        path: [
          s.AzureWebJobsStorage__queueServiceUri
            ? 'AzureWebJobsStorage__tableServiceUri'
            : 'AzureWebJobsStorage__queueServiceUri',
        ],
        message: 'is required with identity-based storage (both __queueServiceUri and __tableServiceUri)',
      });
    }
  });

/** Azurite: `UseDevelopmentStorage=true` or its well-known account, and no identity-based storage. */
function isDevelopmentStorage(
  connectionString: string | undefined,
  s: {
    AzureWebJobsStorage__queueServiceUri?: string | undefined;
    AzureWebJobsStorage__tableServiceUri?: string | undefined;
  },
): boolean {
  if (s.AzureWebJobsStorage__queueServiceUri || s.AzureWebJobsStorage__tableServiceUri || !connectionString)
    return false;
  return (
    /^UseDevelopmentStorage=true/i.test(connectionString) ||
    /(^|;)\s*AccountName=devstoreaccount1\s*(;|$)/i.test(connectionString)
  );
}

export interface Settings {
  storage: StorageSettings;
  connectorPath: string;
  workday: { raasUrl?: string; soapUrl?: string; username?: string; password?: string; timeoutMs: number };
  /** Who may call the HTTP routes; without tenant and client id every route call is refused. */
  auth: { tenantId?: string; clientId?: string; authorityHost: string };
  /**
   * maxWritesPerSecond: the whole deployment's writes per second (every instance, resync and the
   * CLI take them from one shared budget), after GRAPH_WRITE_HEADROOM_PERCENT is taken off.
   */
  graph: { baseUrl: string; auth: 'azure' | 'none'; clientId?: string; maxWritesPerSecond: number };
  enrichSchedule: string;
  escrowSweepSchedule: string;
  dryRun: boolean;
  approveHeldCycle?: string;
  /** EMAIL_HASH_KEY; absent only with development storage (then a fixed development key is used). */
  emailHashKey?: string;
  /** The job queue (WORKER_QUEUE_NAME, which the queue trigger binds to); the poison queue is `<name>-poison`. */
  queueName: string;
  tablePrefix: string;
  appInsightsConnectionString?: string;
  appInsightsAuthenticationString?: string;
}

/**
 * What a command touches: `storage` for the read-only commands (runs, status, escrow), which read
 * the tables and compute no email hash; `all` for everything else.
 */
export type SettingsPurpose = 'storage' | 'all';

/** Reads settings from the environment; throws CONFIG.INVALID_SETTING naming every bad setting. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, purpose: SettingsPurpose = 'all'): Settings {
  const { settings, problems } = readSettings(env, purpose);
  if (!settings) throw invalidSettings(problems);
  return settings;
}

/** One error naming every problem at once (`  - NAME what is wrong`), so a fix takes one round. */
export function invalidSettings(problems: readonly string[]): AppError {
  return new AppError('CONFIG.INVALID_SETTING', `Invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

/** The settings, or every problem with them (the hash key only where it is used); never throws. */
export function readSettings(
  env: NodeJS.ProcessEnv,
  purpose: SettingsPurpose = 'all',
): { settings?: Settings; problems: string[] } {
  const result = settingsSchema.safeParse(pickKnown(env));
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${String(issue.path[0] ?? '(settings)')} ${issue.message}`);
  if (purpose === 'all' && hashKeyMissing(pickKnown(env))) problems.push(HASH_KEY_REQUIRED);
  return result.success && problems.length === 0 ? { settings: toSettings(result.data), problems } : { problems };
}

const HASH_KEY_REQUIRED =
  'EMAIL_HASH_KEY is required unless storage is the development storage (Azurite): the key of the personal-email hashes in the tables, a Key Vault secret in Azure';

/** Every command that hashes a personal email needs the deployment's key; Azurite has a fixed one. */
function hashKeyMissing(s: Record<string, string>): boolean {
  const storageGiven =
    s.AzureWebJobsStorage || s.AzureWebJobsStorage__queueServiceUri || s.AzureWebJobsStorage__tableServiceUri;
  return Boolean(storageGiven) && !s.EMAIL_HASH_KEY && !isDevelopmentStorage(s.AzureWebJobsStorage, s);
}

function toSettings(s: z.infer<typeof settingsSchema>): Settings {
  const storage: StorageSettings =
    s.AzureWebJobsStorage__queueServiceUri && s.AzureWebJobsStorage__tableServiceUri
      ? {
          kind: 'identity',
          queueServiceUri: s.AzureWebJobsStorage__queueServiceUri,
          tableServiceUri: s.AzureWebJobsStorage__tableServiceUri,
          clientId: s.AzureWebJobsStorage__clientId || undefined,
        }
      : { kind: 'connectionString', connectionString: s.AzureWebJobsStorage! };
  return {
    storage,
    connectorPath: s.CONNECTOR_CONFIG,
    workday: {
      raasUrl: s.WORKDAY_RAAS_URL,
      soapUrl: s.WORKDAY_SOAP_URL,
      username: s.WORKDAY_USERNAME,
      password: s.WORKDAY_PASSWORD,
      timeoutMs: s.WORKDAY_TIMEOUT_SECONDS * 1000,
    },
    graph: {
      baseUrl: s.GRAPH_BASE_URL.replace(/\/+$/, ''),
      auth: s.GRAPH_AUTH,
      clientId: s.AZURE_CLIENT_ID,
      maxWritesPerSecond: s.GRAPH_MAX_WRITES_PER_SECOND * (1 - s.GRAPH_WRITE_HEADROOM_PERCENT / 100),
    },
    auth: {
      tenantId: s.AUTH_TENANT_ID || undefined,
      clientId: s.AUTH_CLIENT_ID || undefined,
      authorityHost: s.AUTH_AUTHORITY_HOST.replace(/\/+$/, ''),
    },
    enrichSchedule: s.ENRICH_SCHEDULE,
    escrowSweepSchedule: s.ESCROW_SWEEP_SCHEDULE,
    dryRun: s.DRY_RUN,
    approveHeldCycle: s.APPROVE_HELD_CYCLE || undefined,
    emailHashKey: s.EMAIL_HASH_KEY,
    queueName: s.WORKER_QUEUE_NAME,
    tablePrefix: s.TABLE_PREFIX,
    appInsightsConnectionString: s.APPLICATIONINSIGHTS_CONNECTION_STRING || undefined,
    appInsightsAuthenticationString: s.APPLICATIONINSIGHTS_AUTHENTICATION_STRING || undefined,
  };
}

/** Empty strings count as unset, as App Service shows unset settings. */
function pickKnown(env: NodeJS.ProcessEnv): Record<string, string> {
  const known = Object.keys(settingsSchema.shape ?? {});
  const picked: Record<string, string> = {};
  for (const key of Object.keys(env)) {
    const value = env[key];
    if (value !== undefined && value !== '' && (known.length === 0 || known.includes(key))) picked[key] = value;
  }
  return picked;
}

/** Names of every setting, for the docs and the Bicep check. */
export const SETTING_NAMES: readonly string[] = Object.keys(settingsSchema.shape ?? {});
