/**
 * The connector file: what an identity engineer reviews in a pull request.
 * Validated once at start-up; every message names the offending path and says what is wanted.
 */
import { z } from 'zod';
import { AppError } from './errors';
import { CLOUD_ONLY_TARGETS, isExtensionAttribute } from './mappingTargets';

export const SCOPE_OPERATORS = [
  'EQUALS',
  'NOT EQUALS',
  'MEMBER_OF',
  'IS TRUE',
  'IS FALSE',
  'IS NULL',
  'IS NOT NULL',
  'REGEX MATCH',
  'NOT REGEX MATCH',
] as const;

/** Why a familiar property is refused, so the error teaches instead of just saying no. */
const REFUSED_TARGETS: Record<string, string> = {
  displayName: 'it is synced from Active Directory by Cloud Sync',
  givenName: 'it is synced from Active Directory by Cloud Sync',
  surname: 'it is synced from Active Directory by Cloud Sync',
  userPrincipalName: 'it is synced from Active Directory by Cloud Sync and is the sign-in name',
  mail: 'it is synced from Active Directory by Cloud Sync',
  mailNickname: 'it is synced from Active Directory by Cloud Sync',
  proxyAddresses: 'it is synced from Active Directory by Cloud Sync',
  employeeId: 'it is the match key and is synced from Active Directory by Cloud Sync',
  accountEnabled: 'enabling or disabling users is outside this connector (Create/Delete OFF)',
  passwordProfile: 'the connector never touches credentials',
  mobilePhone: 'it is synced from Active Directory by Cloud Sync',
  businessPhones: 'it is synced from Active Directory by Cloud Sync',
};

function targetRefusal(target: string): string | null {
  if ((CLOUD_ONLY_TARGETS as readonly string[]).includes(target) || isExtensionAttribute(target)) return null;
  if (target.startsWith('onPremises')) return 'onPremises* properties belong to Cloud Sync';
  if (target.startsWith('extension_')) {
    return 'a directory extension is named extension_<application id without dashes, 32 hex digits>_<name>';
  }
  const why = REFUSED_TARGETS[target] ?? 'it is not a cloud-only property this connector may write';
  return `${why}; allowed targets are otherMails, usageLocation, authenticationEmail and extension_<appId>_<name>`;
}

const nonEmpty = z.string().trim().min(1, 'must not be empty');

const clauseSchema = z
  .object({
    attribute: nonEmpty,
    operator: z.enum(SCOPE_OPERATORS, { error: `operator must be one of ${SCOPE_OPERATORS.join(', ')}` }),
    value: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  })
  .strict()
  .superRefine((clause, ctx) => {
    const { operator, value } = clause;
    const unary = operator.startsWith('IS ');
    if (unary && value !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${operator} takes no value` });
    }
    if (operator === 'MEMBER_OF' && !Array.isArray(value)) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: 'MEMBER_OF takes a list of strings, e.g. ["Contoso Corp", "Contoso LLC"]',
      });
    }
    if (!unary && operator !== 'MEMBER_OF' && typeof value !== 'string') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${operator} takes one string value` });
    }
    if (operator.endsWith('REGEX MATCH') && typeof value === 'string') {
      try {
        new RegExp(value, 'u');
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          path: ['value'],
          message: `not a valid regular expression: ${(err as Error).message}`,
        });
      }
    }
  });

/** Groups are OR-ed, the clauses of a group AND-ed, as in Entra scoping filters. */
const scopeSchema = z.array(z.array(clauseSchema).min(1, 'a scope group needs at least one clause'));

const fieldName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a logical field name is letters, digits and underscores, e.g. personalEmail');

const DEFAULT_FIELDS = { workerId: 'WorkerID', personalEmail: 'personalEmail', countryIso: 'CountryISO' };

const fieldsSchema = z
  .record(fieldName, nonEmpty)
  .optional()
  .transform((fields) => ({ ...DEFAULT_FIELDS, ...(fields ?? {}) }));

/**
 * The SOAP attributes whose XPath an administrator may set, as in Microsoft's Workday connector
 * (its attribute list gives each attribute an XPath). The SOAP adapter holds the defaults and
 * compiles every expression at start-up, so a path it cannot read stops the app naming it.
 */
export const SOAP_PATH_FIELDS = [
  'workerId',
  'employeeId',
  'contingentWorkerId',
  'personalEmail',
  'businessSiteCountry',
  'homeCountry',
  'employeeType',
  'legalEntity',
  'active',
] as const;
export type SoapPathField = (typeof SOAP_PATH_FIELDS)[number];

const xpathList = z.union([nonEmpty, z.array(nonEmpty).min(1, 'a list of XPaths needs at least one')]);

const soapPathsSchema = z
  .object(
    Object.fromEntries(SOAP_PATH_FIELDS.map((field) => [field, xpathList.optional()])) as Record<
      SoapPathField,
      z.ZodOptional<typeof xpathList>
    >,
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `source.paths sets the XPath of ${SOAP_PATH_FIELDS.join(', ')}; '${issue.keys.join("', '")}' is none of them`
          : undefined,
    },
  )
  .strict()
  .optional();

const sourceSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('raas'),
      fields: fieldsSchema,
      /** The report prompt that narrows the report to one worker (for `resync`). */
      workerPrompt: nonEmpty.default('Worker_ID'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('soap'),
      fields: fieldsSchema,
      pageSize: z.number().int().min(1).max(999, 'Workday pages hold at most 999 workers').default(100),
      country: z.enum(['businessSite', 'home']).default('businessSite'),
      /** Hours between full reads; incremental reads in between. 0 = always read in full. */
      fullReadEveryHours: z.number().min(0).default(24),
      /** XPaths replacing the defaults, per attribute: one expression, or several tried in order. */
      paths: soapPathsSchema,
    })
    .strict(),
]);

const mappingSchema = z
  .object({
    source: fieldName,
    target: z.string().superRefine((target, ctx) => {
      const refusal = targetRefusal(target);
      if (refusal) ctx.addIssue({ code: 'custom', message: `target '${target}' is refused: ${refusal}` });
    }),
    mode: z.enum(['replace', 'merge']).optional(),
    onSourceEmpty: z.enum(['keep', 'clear']).default('keep'),
  })
  .strict()
  .superRefine((mapping, ctx) => {
    if (mapping.mode && mapping.target !== 'otherMails') {
      ctx.addIssue({ code: 'custom', path: ['mode'], message: 'mode (replace or merge) applies to otherMails only' });
    }
    if (
      (mapping.target === 'otherMails' || mapping.target === 'authenticationEmail') &&
      mapping.source !== 'personalEmail'
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['source'],
        message: `${mapping.target} takes the validated personal email: use source 'personalEmail' and point source.fields.personalEmail at your column`,
      });
    }
    if (mapping.target === 'authenticationEmail' && mapping.onSourceEmpty === 'clear') {
      ctx.addIssue({
        code: 'custom',
        path: ['onSourceEmpty'],
        message:
          'authenticationEmail cannot be cleared by the connector: removing a sign-in method is left to an administrator',
      });
    }
    if (mapping.target === 'usageLocation' && mapping.onSourceEmpty === 'clear') {
      // Graph's user resource: usageLocation is not nullable, so a clear would be refused for every worker.
      ctx.addIssue({
        code: 'custom',
        path: ['onSourceEmpty'],
        message:
          "usageLocation cannot be cleared: Graph does not accept null for it; use onSourceEmpty 'keep' (the default) to leave the last country in place",
      });
    }
  });

const domainSchema = z
  .string()
  .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'a domain such as contoso.com')
  .transform((d) => d.toLowerCase());

const guardsSchema = z
  .object({
    maxWritesPerCycle: z.number().int().min(0, 'maxWritesPerCycle must be 0 or more').default(500),
    /** Personal emails in these domains (and their subdomains) are no alternate channel. */
    blockedEmailDomains: z.array(domainSchema).default([]),
    /** Hours between re-verifications of settled workers against Graph (drift made by hand). */
    reverifyEveryHours: z.number().min(0).default(24),
  })
  .strict()
  .default({ maxWritesPerCycle: 500, blockedEmailDomains: [], reverifyEveryHours: 24 });

const escrowSchema = z
  .object({
    retryAfterMinutes: z
      .array(z.number().positive('retry waits must be positive minutes'))
      .min(1)
      .default([1, 2, 5, 10, 20, 40]),
    expireAfterDays: z.number().positive().default(28),
  })
  .strict()
  .default({ retryAfterMinutes: [1, 2, 5, 10, 20, 40], expireAfterDays: 28 });

export const connectorSchema = z
  .object({
    $schema: z.string().optional(),
    source: sourceSchema,
    scope: scopeSchema.min(1, 'scope needs at least one group: the hybrid workers this connector may write'),
    cloudOnlyScope: scopeSchema.default([]),
    match: z
      .object({
        // The worker id is the validated, de-duplicated key: matching on anything else could let
        // two workers reach one user, or fall back silently when the column is empty.
        source: z.literal('workerId', {
          error:
            "match.source must be 'workerId' (point source.fields.workerId at the column that holds the employeeId)",
        }),
        target: z.literal('employeeId', { error: "match.target must be 'employeeId'" }),
      })
      .strict()
      .default({ source: 'workerId', target: 'employeeId' }),
    mappings: z.array(mappingSchema).min(1, 'at least one mapping is needed'),
    guards: guardsSchema,
    escrow: escrowSchema,
  })
  .strict()
  .superRefine((connector, ctx) => {
    const seen = new Set<string>();
    connector.mappings.forEach((mapping, index) => {
      if (seen.has(mapping.target)) {
        ctx.addIssue({
          code: 'custom',
          path: ['mappings', index, 'target'],
          message: `target '${mapping.target}' is mapped twice`,
        });
      }
      seen.add(mapping.target);
      if (!(mapping.source in connector.source.fields)) {
        ctx.addIssue({
          code: 'custom',
          path: ['mappings', index, 'source'],
          message: `source field '${mapping.source}' is not one of source.fields (${Object.keys(connector.source.fields).join(', ')})`,
        });
      }
    });
    if (!(connector.match.source in connector.source.fields)) {
      ctx.addIssue({
        code: 'custom',
        path: ['match', 'source'],
        message: `'${connector.match.source}' is not one of source.fields`,
      });
    }
  });

export type ConnectorConfig = z.output<typeof connectorSchema>;
export type ScopeClause = z.output<typeof clauseSchema>;
export type Scope = ConnectorConfig['scope'];
export type Mapping = ConnectorConfig['mappings'][number];

/** Parses a connector document; the error lists every problem with its JSON path. */
export function parseConnector(document: unknown, origin = 'connector file'): ConnectorConfig {
  const result = connectorSchema.safeParse(document);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  - ${formatPath(issue.path)}: ${issue.message}`);
  throw new AppError('CONFIG.INVALID_CONNECTOR', `Invalid ${origin} (CONNECTOR_CONFIG):\n${problems.join('\n')}`);
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
    .join('')
    .replace(/^\./, '');
}

/** The JSON Schema editors use, generated from the same zod schema. */
export function connectorJsonSchema(): unknown {
  return z.toJSONSchema(connectorSchema, { io: 'input', unrepresentable: 'any' });
}
