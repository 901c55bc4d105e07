/**
 * The connector file: what an identity engineer reviews in a pull request.
 * Validated once at start-up (parseConnector.ts); every message names the offending path and says
 * what is wanted. The schema and the types read from it import no error type, so the modules that
 * only need the connector's shape stay shallow.
 */
import { z } from 'zod';
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
    attribute: nonEmpty.describe(
      'The source attribute the clause tests: a column alias of the RaaS report (e.g. Worker_Type, Legal_Entity, Active) or a SOAP attribute name.',
    ),
    operator: z
      .enum(SCOPE_OPERATORS, { error: `operator must be one of ${SCOPE_OPERATORS.join(', ')}` })
      .describe(
        'How the attribute is tested, as in Entra scoping filters. IS TRUE / IS FALSE read Workday booleans ("1"/"0", "true"/"false").',
      ),
    value: z
      .union([z.string(), z.array(z.string()).min(1)])
      .optional()
      .describe(
        'The value compared: one string for EQUALS, NOT EQUALS and the REGEX operators, a list for MEMBER_OF, none for the IS operators.',
      ),
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
const scopeSchema = z.array(
  z.array(clauseSchema).min(1, 'a scope group needs at least one clause').describe('Clauses AND-ed together.'),
);

const fieldName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a logical field name is letters, digits and underscores, e.g. personalEmail');

const DEFAULT_FIELDS = { workerId: 'WorkerID', personalEmail: 'personalEmail', countryIso: 'CountryISO' };

const fieldsSchema = z
  .record(fieldName, nonEmpty)
  .optional()
  .describe(
    'Logical field name -> the column alias in the report (RaaS) or attribute (SOAP). workerId (default column WorkerID), personalEmail (personalEmail) and countryIso (CountryISO) are always defined; add more to map them.',
  )
  .transform((fields) => ({ ...DEFAULT_FIELDS, ...fields }));

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

/** What each overridable SOAP attribute holds, for the editor's hover text. */
const SOAP_PATH_DESCRIPTIONS: Record<SoapPathField, string> = {
  workerId: 'The worker id matched to Entra employeeId (default: Worker_Data/Worker_ID).',
  employeeId: 'The Employee_ID reference of an employee.',
  contingentWorkerId: 'The Contingent_Worker_ID reference of a contingent worker.',
  personalEmail: 'The personal email: by default the primary HOME email, else the first HOME one.',
  businessSiteCountry: "The country of the worker's business site (ISO alpha-2).",
  homeCountry: "The country of the worker's home address (ISO alpha-2).",
  employeeType: 'The Worker_Type_Reference descriptor (Employee_Type in the scope).',
  legalEntity: "The COMPANY organisation's name (Legal_Entity in the scope).",
  active: 'Whether the worker is active ("1"/"0").',
};

const soapPathsSchema = z
  .object(
    Object.fromEntries(
      SOAP_PATH_FIELDS.map((field) => [
        field,
        xpathList.optional().describe(`${SOAP_PATH_DESCRIPTIONS[field]} One XPath, or several tried in order.`),
      ]),
    ) as Record<SoapPathField, z.ZodOptional<typeof xpathList>>,
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `source.paths sets the XPath of ${SOAP_PATH_FIELDS.join(', ')}; '${issue.keys.join("', '")}' is none of them`
          : undefined,
    },
  )
  .strict()
  .optional()
  .describe("XPaths replacing the SOAP adapter's defaults, per attribute; compiled at start-up.");

const sourceSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('raas').describe('A Workday custom report (RaaS) read as JSON from WORKDAY_RAAS_URL.'),
      fields: fieldsSchema,
      /** The report prompt that narrows the report to one worker (for `resync`). */
      workerPrompt: nonEmpty
        .default('Worker_ID')
        .describe(
          "The report's prompt that narrows it to one worker, sent as ?<prompt>=<id> by resync (default Worker_ID). The report must define it.",
        ),
    })
    .strict(),
  z
    .object({
      kind: z.literal('soap').describe('Workday Get_Workers (Human_Resources web service) at WORKDAY_SOAP_URL.'),
      fields: fieldsSchema,
      pageSize: z
        .number()
        .int()
        .min(1)
        .max(999, 'Workday pages hold at most 999 workers')
        .default(100)
        .describe('Workers per Get_Workers page (at most 999).'),
      country: z
        .enum(['businessSite', 'home'])
        .default('businessSite')
        .describe("Which country becomes CountryISO: the business site's (default) or the home address's."),
      /** Hours between full reads; incremental reads in between. 0 = always read in full. */
      fullReadEveryHours: z
        .number()
        .min(0)
        .default(24)
        .describe('Hours between full reads; incremental reads (changes only) in between. 0: always read in full.'),
      /** XPaths replacing the defaults, per attribute: one expression, or several tried in order. */
      paths: soapPathsSchema,
    })
    .strict(),
]);

const mappingSchema = z
  .object({
    source: fieldName.describe(
      'The logical field written (one of source.fields); otherMails and authenticationEmail take personalEmail.',
    ),
    target: z
      .string()
      .superRefine((target, ctx) => {
        const refusal = targetRefusal(target);
        if (refusal) ctx.addIssue({ code: 'custom', message: `target '${target}' is refused: ${refusal}` });
      })
      .describe(
        'The cloud-only Entra property written: otherMails, usageLocation, authenticationEmail (the SSPR email method) or extension_<appId>_<name>. Properties Cloud Sync writes are refused.',
      ),
    mode: z
      .enum(['replace', 'merge'])
      .optional()
      .describe(
        'otherMails only. replace: the personal email becomes the only value; merge: it is added beside the values others wrote.',
      ),
    onSourceEmpty: z
      .enum(['keep', 'clear'])
      .default('keep')
      .describe(
        'When Workday has no value: keep the last written value (default), or clear it (not for usageLocation or authenticationEmail).',
      ),
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
    maxWritesPerCycle: z
      .number()
      .int()
      .min(0, 'maxWritesPerCycle must be 0 or more')
      .default(500)
      .describe(
        'The mass-change guard: a cycle that plans more changes than this is held (nothing written) until an operator approves.',
      ),
    /** Personal emails in these domains (and their subdomains) are no alternate channel. */
    blockedEmailDomains: z
      .array(domainSchema)
      .default([])
      .describe(
        "Personal emails in these domains (and their subdomains) are rejected: list the organisation's own domains.",
      ),
    /** Hours between re-verifications of settled workers against Graph (drift made by hand). */
    reverifyEveryHours: z
      .number()
      .min(0)
      .default(24)
      .describe('Hours between re-checks of settled workers against Graph (catches changes made in Entra by hand).'),
  })
  .strict()
  .describe('Safety limits on what one cycle may do.')
  .default({ maxWritesPerCycle: 500, blockedEmailDomains: [], reverifyEveryHours: 24 });

const escrowSchema = z
  .object({
    retryAfterMinutes: z
      .array(z.number().positive('retry waits must be positive minutes'))
      .min(1)
      .default([1, 2, 5, 10, 20, 40])
      .describe(
        'Minutes to wait before each retry of a worker whose Entra user does not exist yet; the last value repeats.',
      ),
    expireAfterDays: z
      .number()
      .positive()
      .default(28)
      .describe(
        'Days after which an escrowed worker ends with the outcome expired (it is tried again when its data changes).',
      ),
  })
  .strict()
  .describe('Workers whose Entra user does not exist yet (new hires before Cloud Sync creates them).')
  .default({ retryAfterMinutes: [1, 2, 5, 10, 20, 40], expireAfterDays: 28 });

export const connectorSchema = z
  .object({
    $schema: z.string().optional().describe('The JSON Schema this file follows (./connector.schema.json).'),
    source: sourceSchema.describe('Where workers are read from: a RaaS report or SOAP Get_Workers.'),
    scope: scopeSchema
      .min(1, 'scope needs at least one group: the hybrid workers this connector may write')
      .describe(
        'The hybrid workers this connector may write: groups OR-ed, the clauses of a group AND-ed, as in Entra scoping filters.',
      ),
    cloudOnlyScope: scopeSchema
      .default([])
      .describe("The cloud-only connector's scope: a worker in both scopes is a conflict and is never written."),
    match: z
      .object({
        // The worker id is the validated, de-duplicated key: matching on anything else could let
        // two workers reach one user, or fall back silently when the column is empty.
        source: z
          .literal('workerId', {
            error:
              "match.source must be 'workerId' (point source.fields.workerId at the column that holds the employeeId)",
          })
          .describe('Always workerId: the validated worker id.'),
        target: z
          .literal('employeeId', { error: "match.target must be 'employeeId'" })
          .describe('Always employeeId: the Entra property Cloud Sync fills from AD.'),
      })
      .strict()
      .default({ source: 'workerId', target: 'employeeId' })
      .describe('How a worker finds its Entra user: worker id = employeeId (case-insensitive).'),
    mappings: z
      .array(mappingSchema)
      .min(1, 'at least one mapping is needed')
      .describe('What is written: one entry per target property.'),
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

/** The JSON Schema editors use, generated from the same zod schema. */
export function connectorJsonSchema(): unknown {
  return z.toJSONSchema(connectorSchema, { io: 'input', unrepresentable: 'any' });
}
