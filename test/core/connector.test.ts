import { describe, expect, it } from 'vitest';
import { connectorJsonSchema } from '../../src/core/connector';
import { parseConnector } from '../../src/core/parseConnector';
import { isAppError } from '../../src/core/errors';

const EXT = 'extension_0123456789abcdef0123456789abcdef_costCenter';

/** The example connector file of docs/design.md ("The connector file"). */
function designExample(): Record<string, any> {
  return {
    source: {
      kind: 'raas',
      fields: { workerId: 'WorkerID', personalEmail: 'personalEmail', countryIso: 'CountryISO' },
    },
    scope: [
      [
        { attribute: 'Worker_Type', operator: 'EQUALS', value: 'Employee' },
        { attribute: 'Legal_Entity', operator: 'MEMBER_OF', value: ['Contoso Corp', 'Contoso LLC'] },
      ],
    ],
    cloudOnlyScope: [[{ attribute: 'Worker_Type', operator: 'EQUALS', value: 'Contingent_Worker' }]],
    match: { source: 'workerId', target: 'employeeId' },
    mappings: [
      { source: 'personalEmail', target: 'otherMails', mode: 'replace' },
      { source: 'countryIso', target: 'usageLocation' },
    ],
    guards: { maxWritesPerCycle: 500 },
    escrow: { retryAfterMinutes: [1, 2, 5, 10, 20, 40], expireAfterDays: 28 },
  };
}

function minimal(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    source: { kind: 'raas' },
    scope: [[{ attribute: 'Worker_Type', operator: 'EQUALS', value: 'Employee' }]],
    mappings: [{ source: 'personalEmail', target: 'otherMails' }],
    ...overrides,
  };
}

/** The problem lines of a refused document. */
function problems(document: unknown): string[] {
  try {
    parseConnector(document);
  } catch (err) {
    if (!isAppError(err)) throw err;
    expect(err.code).toBe('CONFIG.INVALID_CONNECTOR');
    return err.message
      .split('\n')
      .slice(1)
      .map((line) => line.replace(/^ {2}- /, ''));
  }
  throw new Error('expected the document to be refused');
}

const withMapping = (mapping: Record<string, unknown>) => minimal({ mappings: [mapping] });
const withClause = (clause: Record<string, unknown>) => minimal({ scope: [[{ attribute: 'A', ...clause }]] });

describe('parseConnector', () => {
  it('accepts the example connector file of docs/design.md', () => {
    const connector = parseConnector(designExample());
    expect(connector.mappings.map((m) => m.target)).toEqual(['otherMails', 'usageLocation']);
    expect(connector.scope[0]).toHaveLength(2);
  });

  it('fills in the documented defaults', () => {
    const connector = parseConnector(minimal());
    expect(connector.source.fields).toEqual({
      workerId: 'WorkerID',
      personalEmail: 'personalEmail',
      countryIso: 'CountryISO',
    });
    expect(connector.cloudOnlyScope).toEqual([]);
    expect(connector.match).toEqual({ source: 'workerId', target: 'employeeId' });
    expect(connector.mappings[0]?.onSourceEmpty).toBe('keep');
    expect(connector.guards).toEqual({ maxWritesPerCycle: 500, blockedEmailDomains: [], reverifyEveryHours: 24 });
    expect(connector.escrow).toEqual({ retryAfterMinutes: [1, 2, 5, 10, 20, 40], expireAfterDays: 28 });
  });

  it('keeps the default field columns when source.fields names only some', () => {
    const connector = parseConnector(
      minimal({ source: { kind: 'raas', fields: { personalEmail: 'Home_Email', costCenter: 'Cost_Center' } } }),
    );
    expect(connector.source.fields).toEqual({
      workerId: 'WorkerID',
      personalEmail: 'Home_Email',
      countryIso: 'CountryISO',
      costCenter: 'Cost_Center',
    });
  });

  it('fills in the SOAP defaults', () => {
    const connector = parseConnector(minimal({ source: { kind: 'soap' } }));
    expect(connector.source).toMatchObject({
      kind: 'soap',
      pageSize: 100,
      country: 'businessSite',
      fullReadEveryHours: 24,
    });
  });

  it('accepts a SOAP page of 999 workers', () => {
    expect(parseConnector(minimal({ source: { kind: 'soap', pageSize: 999 } })).source).toMatchObject({
      pageSize: 999,
    });
  });

  it('refuses a SOAP page of 1000 workers', () => {
    expect(problems(minimal({ source: { kind: 'soap', pageSize: 1000 } }))).toEqual([
      'source.pageSize: Workday pages hold at most 999 workers',
    ]);
  });

  it.each([0, 1.5, -1])('refuses a SOAP page size of %s', (pageSize) => {
    expect(problems(minimal({ source: { kind: 'soap', pageSize } }))[0]).toMatch(/^source\.pageSize: /);
  });

  describe("SOAP source.paths (the XPath of each attribute, as in Microsoft's Workday connector)", () => {
    const WORK_EMAIL =
      "wd:Worker/wd:Worker_Data/wd:Personal_Data/wd:Contact_Data/wd:Email_Address_Data[wd:Usage_Data/wd:Type_Data/wd:Type_Reference/wd:ID[@wd:type='Communication_Usage_Type_ID']='WORK']/wd:Email_Address/text()";

    it('accepts one XPath, or several tried in order, per attribute', () => {
      const source = parseConnector(
        minimal({
          source: { kind: 'soap', paths: { personalEmail: WORK_EMAIL, homeCountry: ['a/text()', 'b/text()'] } },
        }),
      ).source;
      expect(source).toMatchObject({ paths: { personalEmail: WORK_EMAIL, homeCountry: ['a/text()', 'b/text()'] } });
    });

    it('refuses an attribute it does not know, naming the ones it does', () => {
      expect(problems(minimal({ source: { kind: 'soap', paths: { workEmail: WORK_EMAIL } } }))).toEqual([
        "source.paths: source.paths sets the XPath of workerId, employeeId, contingentWorkerId, personalEmail, businessSiteCountry, homeCountry, employeeType, legalEntity, active; 'workEmail' is none of them",
      ]);
    });

    it.each([[''], [[]]])('refuses an empty XPath (%j)', (path) => {
      expect(problems(minimal({ source: { kind: 'soap', paths: { personalEmail: path } } }))[0]).toMatch(
        /^source\.paths\.personalEmail: /,
      );
    });

    it('refuses paths on a RaaS source, whose columns are named in fields', () => {
      expect(problems(minimal({ source: { kind: 'raas', paths: { personalEmail: WORK_EMAIL } } }))[0]).toMatch(
        /^source: .*paths/i,
      );
    });
  });

  it('refuses an unknown source kind', () => {
    expect(problems(minimal({ source: { kind: 'csv' } }))[0]).toMatch(/^source\.kind: /);
  });

  it.each([
    ['displayName', /synced from Active Directory/],
    ['userPrincipalName', /sign-in name/],
    ['mail', /synced from Active Directory/],
    ['employeeId', /match key/],
    ['accountEnabled', /Create\/Delete OFF/],
    ['passwordProfile', /never touches credentials/],
    ['onPremisesImmutableId', /onPremises\* properties belong to Cloud Sync/],
    ['jobTitle', /not a cloud-only property/],
    ['extension_abc_costCenter', /32 hex digits/],
  ])('refuses the target %s and says why', (target, why) => {
    const [problem] = problems(withMapping({ source: 'personalEmail', target }));
    expect(problem).toMatch(new RegExp(`^mappings\\[0\\]\\.target: target '${target}' is refused: `));
    expect(problem).toMatch(why);
  });

  it('lists the allowed targets when it refuses one', () => {
    expect(problems(withMapping({ source: 'personalEmail', target: 'jobTitle' }))[0]).toMatch(
      /otherMails, usageLocation, authenticationEmail and extension_<appId>_<name>/,
    );
  });

  it.each(['otherMails', 'usageLocation', 'authenticationEmail', EXT])('accepts the cloud-only target %s', (target) => {
    expect(parseConnector(withMapping({ source: 'personalEmail', target })).mappings[0]?.target).toBe(target);
  });

  it('refuses mode on a target other than otherMails', () => {
    expect(problems(withMapping({ source: 'countryIso', target: 'usageLocation', mode: 'merge' }))).toEqual([
      'mappings[0].mode: mode (replace or merge) applies to otherMails only',
    ]);
  });

  it('refuses an unknown mode', () => {
    expect(problems(withMapping({ source: 'personalEmail', target: 'otherMails', mode: 'append' }))[0]).toMatch(
      /^mappings\[0\]\.mode: /,
    );
  });

  it('refuses clearing the authentication email method', () => {
    expect(
      problems(withMapping({ source: 'personalEmail', target: 'authenticationEmail', onSourceEmpty: 'clear' }))[0],
    ).toMatch(/^mappings\[0\]\.onSourceEmpty: .*left to an administrator/);
    // Graph's user resource: usageLocation is not nullable.
    expect(problems(withMapping({ source: 'countryIso', target: 'usageLocation', onSourceEmpty: 'clear' }))[0]).toMatch(
      /^mappings\[0\]\.onSourceEmpty: usageLocation cannot be cleared.*'keep'/,
    );
  });

  it('refuses a mapping source that is not one of source.fields', () => {
    expect(problems(withMapping({ source: 'homeEmail', target: EXT }))).toEqual([
      "mappings[0].source: source field 'homeEmail' is not one of source.fields (workerId, personalEmail, countryIso)",
    ]);
  });

  it('accepts a mapping source added in source.fields', () => {
    const doc = minimal({
      source: { kind: 'raas', fields: { costCenter: 'Cost_Center' } },
      mappings: [{ source: 'costCenter', target: EXT }],
    });
    expect(parseConnector(doc).mappings[0]?.source).toBe('costCenter');
  });

  it('refuses an email target fed by anything but the validated personal email', () => {
    for (const target of ['otherMails', 'authenticationEmail']) {
      expect(problems(withMapping({ source: 'countryIso', target }))).toEqual([
        `mappings[0].source: ${target} takes the validated personal email: use source 'personalEmail' and point source.fields.personalEmail at your column`,
      ]);
    }
  });

  it('refuses a target mapped twice, pointing at the second', () => {
    const doc = minimal({
      mappings: [
        { source: 'personalEmail', target: 'otherMails' },
        { source: 'personalEmail', target: 'otherMails', mode: 'merge' },
      ],
    });
    expect(problems(doc)).toEqual(["mappings[1].target: target 'otherMails' is mapped twice"]);
  });

  it('refuses an empty mapping list', () => {
    expect(problems(minimal({ mappings: [] }))).toEqual(['mappings: at least one mapping is needed']);
  });

  it('refuses a match on anything but employeeId', () => {
    expect(problems(minimal({ match: { source: 'workerId', target: 'userPrincipalName' } }))).toEqual([
      "match.target: match.target must be 'employeeId'",
    ]);
  });

  it('refuses a match on anything but the validated worker id', () => {
    expect(problems(minimal({ match: { source: 'badgeId', target: 'employeeId' } }))).toEqual([
      "match.source: match.source must be 'workerId' (point source.fields.workerId at the column that holds the employeeId)",
    ]);
  });

  it('refuses an empty scope: the connector would write nobody', () => {
    expect(problems(minimal({ scope: [] }))).toEqual([
      'scope: scope needs at least one group: the hybrid workers this connector may write',
    ]);
  });

  it('refuses an empty scope group, which would match everybody', () => {
    expect(problems(minimal({ scope: [[]] }))).toEqual(['scope[0]: a scope group needs at least one clause']);
  });

  it('refuses an empty group in cloudOnlyScope too', () => {
    expect(problems(minimal({ cloudOnlyScope: [[]] }))).toEqual([
      'cloudOnlyScope[0]: a scope group needs at least one clause',
    ]);
  });

  it('refuses an unknown operator and names the allowed ones', () => {
    expect(problems(withClause({ operator: 'CONTAINS', value: 'x' }))[0]).toMatch(
      /^scope\[0\]\[0\]\.operator: operator must be one of EQUALS, NOT EQUALS, MEMBER_OF/,
    );
  });

  it.each(['IS TRUE', 'IS FALSE', 'IS NULL', 'IS NOT NULL'])('refuses a value on %s', (operator) => {
    expect(problems(withClause({ operator, value: 'x' }))).toEqual([`scope[0][0].value: ${operator} takes no value`]);
  });

  it.each(['IS TRUE', 'IS FALSE', 'IS NULL', 'IS NOT NULL'])('accepts %s without a value', (operator) => {
    expect(parseConnector(withClause({ operator })).scope[0]?.[0]?.operator).toBe(operator);
  });

  it('refuses MEMBER_OF with a single string', () => {
    expect(problems(withClause({ operator: 'MEMBER_OF', value: 'Contoso Corp' }))[0]).toMatch(
      /^scope\[0\]\[0\]\.value: MEMBER_OF takes a list of strings/,
    );
  });

  it('refuses MEMBER_OF with an empty list', () => {
    expect(problems(withClause({ operator: 'MEMBER_OF', value: [] }))[0]).toMatch(/^scope\[0\]\[0\]\.value: /);
  });

  it.each(['EQUALS', 'NOT EQUALS', 'REGEX MATCH', 'NOT REGEX MATCH'])('refuses %s without a value', (operator) => {
    expect(problems(withClause({ operator }))).toEqual([`scope[0][0].value: ${operator} takes one string value`]);
  });

  it('refuses EQUALS with a list', () => {
    expect(problems(withClause({ operator: 'EQUALS', value: ['a', 'b'] }))).toEqual([
      'scope[0][0].value: EQUALS takes one string value',
    ]);
  });

  it('refuses an invalid regular expression and says why', () => {
    expect(problems(withClause({ operator: 'REGEX MATCH', value: '(' }))[0]).toMatch(
      /^scope\[0\]\[0\]\.value: not a valid regular expression: .*Unterminated group/,
    );
  });

  it('refuses a clause with a blank attribute', () => {
    expect(problems(minimal({ scope: [[{ attribute: '  ', operator: 'IS NULL' }]] }))).toEqual([
      'scope[0][0].attribute: must not be empty',
    ]);
  });

  it('refuses a key it does not know, so a typo or a "create": true is never ignored', () => {
    expect(problems(minimal({ create: true }))).toEqual(['(root): Unrecognized key: "create"']);
    expect(problems(minimal({ guards: { maxWritesPerCyle: 10 } }))[0]).toMatch(/^guards: Unrecognized key/);
  });

  it('lower-cases blocked email domains', () => {
    expect(
      parseConnector(minimal({ guards: { blockedEmailDomains: ['Contoso.COM'] } })).guards.blockedEmailDomains,
    ).toEqual(['contoso.com']);
  });

  it('refuses a blocked domain that is not a domain', () => {
    expect(problems(minimal({ guards: { blockedEmailDomains: ['@contoso.com'] } }))[0]).toMatch(
      /^guards\.blockedEmailDomains\[0\]: a domain such as contoso\.com/,
    );
  });

  it('refuses a negative maxWritesPerCycle', () => {
    expect(problems(minimal({ guards: { maxWritesPerCycle: -1 } }))).toEqual([
      'guards.maxWritesPerCycle: maxWritesPerCycle must be 0 or more',
    ]);
  });

  it('accepts fractional retry waits', () => {
    expect(parseConnector(minimal({ escrow: { retryAfterMinutes: [0.5, 1] } })).escrow.retryAfterMinutes).toEqual([
      0.5, 1,
    ]);
  });

  it('refuses a zero retry wait and an empty wait list', () => {
    expect(problems(minimal({ escrow: { retryAfterMinutes: [1, 0] } }))).toEqual([
      'escrow.retryAfterMinutes[1]: retry waits must be positive minutes',
    ]);
    expect(problems(minimal({ escrow: { retryAfterMinutes: [] } }))[0]).toMatch(/^escrow\.retryAfterMinutes: /);
  });

  it('refuses an expiry of zero days', () => {
    expect(problems(minimal({ escrow: { expireAfterDays: 0 } }))[0]).toMatch(/^escrow\.expireAfterDays: /);
  });

  it('lists every problem at once, each with its JSON path', () => {
    const doc = minimal({
      source: { kind: 'soap', pageSize: 1000 },
      scope: [[{ attribute: 'A', operator: 'REGEX MATCH', value: '(' }]],
      mappings: [
        { source: 'personalEmail', target: 'displayName' },
        { source: 'homeEmail', target: EXT },
      ],
    });
    expect(problems(doc).map((line) => line.split(':')[0])).toEqual([
      'source.pageSize',
      'scope[0][0].value',
      'mappings[0].target',
      'mappings[1].source',
    ]);
  });

  it('names the setting and the origin in the message', () => {
    expect(() => parseConnector({}, 'connector.json')).toThrow(/^Invalid connector\.json \(CONNECTOR_CONFIG\):/);
  });

  it.each([
    ['null', null],
    ['a string', 'connector'],
    ['an array', []],
  ])('refuses %s as a document', (_, document) => {
    expect(problems(document)[0]).toMatch(/^\(root\): /);
  });

  it('names every missing required section', () => {
    expect(problems({}).map((line) => line.split(':')[0])).toEqual(['source', 'scope', 'mappings']);
  });

  it('is a configuration error (exit 2)', () => {
    try {
      parseConnector({});
    } catch (err) {
      expect(isAppError(err) && err.isConfiguration).toBe(true);
      return;
    }
    throw new Error('expected a throw');
  });
});

describe('connectorJsonSchema', () => {
  const schema = connectorJsonSchema() as {
    type: string;
    required: string[];
    additionalProperties: boolean;
    properties: Record<string, any>;
  };

  it('describes an object with the sections of the connector file', () => {
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['source', 'scope', 'cloudOnlyScope', 'match', 'mappings', 'guards', 'escrow']),
    );
  });

  it('requires only what has no default', () => {
    expect([...schema.required].sort()).toEqual(['mappings', 'scope', 'source']);
  });

  it('refuses unknown keys, as the parser does', () => {
    expect(schema.additionalProperties).toBe(false);
  });

  it('offers the scope operators for completion', () => {
    expect(JSON.stringify(schema.properties.scope)).toContain('"NOT REGEX MATCH"');
  });

  it('states the SOAP page limit', () => {
    expect(JSON.stringify(schema.properties.source)).toContain('"maximum":999');
  });
});
