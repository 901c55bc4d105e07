/**
 * The workbook and alert queries as Azure runs them, checked before any deployment: Kusto's own
 * language service parses and binds each one (placeholders substituted as the Bicep does)
 * against the Application Insights tables; the Bicep runs each on the Application Insights
 * component, whose tables those are; and no alert window is shorter than its query looks back.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callArguments, filesUnder, INFRA, parseBicepFile, stringValue } from './bicep';
import {
  alertQueries,
  deployGuideExamples,
  isoMinutes,
  propertyAt,
  resources,
  workbookQueries,
  workbookParameters,
  workbookTimeRanges,
  type DeployedQuery,
} from './deployedQueries';
import { agoMinutes, analyzeKql } from './kusto';

const alertsAtDefaults = alertQueries('default');
/** Every int parameter at its @maxValue: the longest look-back main.bicep lets an operator set. */
const alertsAtMaxima = alertQueries('maximum');
const workbook = workbookQueries();
const docsExamples = deployGuideExamples();
const everyQuery = [
  ...alertsAtDefaults,
  ...alertsAtMaxima.map((q) => ({ ...q, id: `${q.id} (parameters at their maxima)` })),
  ...workbook,
  ...docsExamples,
];

describe('every query, parsed and bound by Kusto against the Application Insights tables', () => {
  it('finds the alert rules, the workbook queries and the deploy guide examples', () => {
    expect(alertsAtDefaults.map((q) => q.id).sort()).toEqual(
      [
        'denied-rising',
        'escrow-too-old',
        'expired-escrow',
        'failed-workers',
        'held-cycle',
        'host-startup-failure',
        'no-successful-cycle',
        'poison-queue-depth',
        'rejected-rising',
        'writes-refused',
      ].map((name) => `alerts/${name}`),
    );
    expect(workbook.length).toBeGreaterThanOrEqual(6);
    expect(docsExamples.length).toBeGreaterThan(0);
  });

  it('deploys every .kql file under infra/kql', () => {
    const loaded = filesUnder(INFRA, '.bicep').flatMap((file) =>
      callArguments(parseBicepFile(file), 'loadTextContent').map((path) =>
        relative(INFRA, resolve(dirname(file), path)),
      ),
    );
    const files = filesUnder(join(INFRA, 'kql'), '.kql').map((file) => relative(INFRA, file));
    expect(files.length).toBe(alertsAtDefaults.length + workbook.length);
    expect(files.filter((file) => !loaded.includes(file))).toEqual([]);
  });

  it.each(everyQuery.map((q) => [q.id, q]))('%s has no error', (_id, { query }) => {
    expect(query).not.toMatch(/\{\{[A-Z_]+\}\}/); // every placeholder substituted
    expect(analyzeKql(query).errors).toEqual([]);
  });

  const base = alertsAtDefaults.find((q) => q.id === 'alerts/no-successful-cycle')!.query;
  it.each([
    ['a misspelt operator', base.replace('| summarize', '| sumarize'), 'KS176 Query operator expected'],
    [
      'an unknown column',
      base.replace('customDimensions.kind', 'customDimension.kind'),
      "KS142 The name 'customDimension'",
    ],
    ['an unknown table', base.replace(/^customEvents$/m, 'customEvent'), "KS204 The name 'customEvent'"],
    ['a column of another table', base.replace('maxif(timestamp', 'maxif(valueSum'), "KS142 The name 'valueSum'"],
    ['an unquoted string', base.replace("'RunCompleted'", 'RunCompleted'), "KS142 The name 'RunCompleted'"],
    ['a misspelt variable', base.replace('isnull(lastSuccess)', 'isnull(lastSucess)'), "KS142 The name 'lastSucess'"],
    ['a placeholder left in', base.replace(/= \d+;/, '= {{STALE_AFTER_MINUTES}};'), 'KS006 Missing expression'],
  ])('reports %s as an error (the check can fail)', (_case, broken, expected) => {
    expect(broken).not.toBe(base);
    const { errors } = analyzeKql(broken);
    expect(errors.join('\n')).toContain(expected);
  });
});

describe('the resource each query runs on', () => {
  // The tables above (customEvents, customMetrics, …) are the component's; a query scoped to the
  // Log Analytics workspace would see AppEvents, AppMetrics, … and fail on every name.
  const components = (file: string) => resources(file).filter((r) => r.type === 'Microsoft.Insights/components');

  it('alert rules are log search rules scoped to the Application Insights component main.bicep names', () => {
    const [component] = components('app/alerts.bicep');
    expect(component?.existing).toBe(true);
    expect(propertyAt(component!.body, ['name'])?.text).toBe('applicationInsightsName');
    const rules = resources('app/alerts.bicep').filter((r) => r.type === 'Microsoft.Insights/scheduledQueryRules');
    expect(rules).toHaveLength(1);
    expect(propertyAt(rules[0]!.body, ['properties', 'scopes'])?.text).toBe(`[${component!.symbol}.id]`);
    expect(readFileSync(join(INFRA, 'main.bicep'), 'utf8')).toMatch(
      /module alerts 'app\/alerts.bicep'[\s\S]*?applicationInsightsName: monitoring\.outputs\.applicationInsightsName/,
    );
  });

  it('workbook queries are Logs queries on the Application Insights component the workbook belongs to', () => {
    const [component] = components('app/workbook.bicep');
    expect(propertyAt(component!.body, ['name'])?.text).toBe('applicationInsightsName');
    for (const { id, settings } of workbook) {
      expect({ id, queryType: settings.queryType, resourceType: settings.resourceType }).toEqual({
        id,
        queryType: 0,
        resourceType: 'microsoft.insights/components',
      });
      expect(settings.crossComponentResources, id).toBeUndefined(); // no other resource
    }
    const [book] = resources('app/workbook.bicep').filter((r) => r.type === 'Microsoft.Insights/workbooks');
    expect(propertyAt(book!.body, ['properties', 'sourceId'])?.text).toBe(`toLower(${component!.symbol}.id)`);
    expect(readFileSync(join(INFRA, 'app/workbook.bicep'), 'utf8')).toContain(
      `fallbackResourceIds: [${component!.symbol}.id]`,
    );
    expect(readFileSync(join(INFRA, 'main.bicep'), 'utf8')).toMatch(
      /module workbook 'app\/workbook.bicep'[\s\S]*?applicationInsightsName: monitoring\.outputs\.applicationInsightsName/,
    );
  });
});

/** The rule's evaluation periods and any override of its time range, read from the rule resource. */
function ruleTimeRange(): { evaluationPeriods: number; override: string | null } {
  const [rule] = resources('app/alerts.bicep').filter((r) => r.type === 'Microsoft.Insights/scheduledQueryRules');
  const criterion = propertyAt(rule!.body, ['properties', 'criteria', 'allOf'])!.namedChildren[0]!;
  const periods = propertyAt(criterion, ['failingPeriods', 'numberOfEvaluationPeriods']);
  const override = propertyAt(rule!.body, ['properties', 'overrideQueryTimeRange']);
  if (override && stringValue(override) === null)
    throw new Error(`cannot read overrideQueryTimeRange: ${override.text}`);
  return { evaluationPeriods: periods ? Number(periods.text) : 1, override: override ? stringValue(override) : null };
}

/**
 * What is wrong with an alert's windows: a scheduled query rule runs its query over its time
 * range only (windowSize × evaluation periods unless overridden), so an `ago()` reaching further
 * sees nothing there; and a window shorter than the evaluation frequency never sees the events
 * that fall between two windows.
 */
export function windowProblems(alert: DeployedQuery, rule = ruleTimeRange()): string[] {
  const window = isoMinutes(String(alert.settings.windowSize));
  const frequency = isoMinutes(String(alert.settings.evaluationFrequency));
  const range = rule.override ? isoMinutes(rule.override) : window * rule.evaluationPeriods;
  const problems = agoMinutes(analyzeKql(alert.query).syntax)
    .filter((lookBack) => lookBack > range)
    .map((lookBack) => `ago() looks back ${lookBack} min but the rule's time range is ${range} min`);
  if (window < frequency)
    problems.push(`window ${window} min is shorter than the evaluation frequency ${frequency} min`);
  return problems;
}

describe('alert windows against what each query looks back', () => {
  it.each([...alertsAtDefaults, ...alertsAtMaxima].map((q) => [q.id, q]))('%s', (_id, alert) => {
    expect(windowProblems(alert)).toEqual([]);
  });

  it('no-successful-cycle looks back as far as main.bicep allows the schedule interval to be', () => {
    const alert = alertsAtMaxima.find((q) => q.id === 'alerts/no-successful-cycle')!;
    expect(Math.max(...agoMinutes(analyzeKql(alert.query).syntax))).toBe(2 * 1440);
  });

  it('finds a look-back longer than the window, and a window shorter than the frequency (the check can fail)', () => {
    const alert = alertsAtDefaults.find((q) => q.id === 'alerts/denied-rising')!;
    expect(windowProblems({ ...alert, settings: { ...alert.settings, windowSize: 'P1D' } })).toEqual([
      "ago() looks back 2880 min but the rule's time range is 1440 min",
    ]);
    const failed = alertsAtDefaults.find((q) => q.id === 'alerts/failed-workers')!;
    expect(windowProblems({ ...failed, settings: { ...failed.settings, evaluationFrequency: 'PT1H' } })).toEqual([
      'window 15 min is shorter than the evaluation frequency 60 min',
    ]);
    expect(() =>
      agoMinutes(analyzeKql('customEvents | where timestamp > ago(now() - datetime(2020-01-01))').syntax),
    ).toThrow(/cannot read/);
  });
});

describe('workbook time ranges against what each query looks back', () => {
  const ranges = workbookTimeRanges();

  it.each(workbook.map((q) => [q.id, q]))(
    '%s takes its range from a parameter and looks back no further than its shortest choice',
    (_id, { query, settings }) => {
      const choices = ranges[String(settings.timeContextFromParameter)];
      expect(choices?.length).toBeGreaterThan(0);
      const shortest = Math.min(...choices!);
      expect(agoMinutes(analyzeKql(query).syntax).filter((lookBack) => lookBack > shortest)).toEqual([]);
    },
  );
});

describe('what the workbook shows an operator in the morning', () => {
  const query = (id: string) => workbook.find((q) => q.id === `workbook/${id}`)!.query;

  // Dry runs and held cycles send no per-worker event (counts only), so no filter is needed for them.
  it('lists the workers needing a person, rejected, failed, expired and long escrow included', () => {
    const attention = query('attention-workers');
    expect(attention).toMatch(/code in \('denied', 'conflict', 'rejected', 'failed', 'expired'\)/);
    expect(attention).toMatch(/code == 'escrowed' and firstEscrowed < ago\(1d\)/);
  });

  it("searches one worker's history by the id typed into the workbook's WorkerId parameter", () => {
    const parameters = Object.keys(workbookParameters());
    expect(parameters).toContain('WorkerId');
    expect(query('worker-history')).toContain("=~ '{WorkerId}'");
  });

  it('shows each run with planned, enqueued and settled-by-outcome counts', () => {
    const runs = query('recent-runs');
    for (const column of ['plannedWorkers', 'planned', 'enqueued', 'settledJobs', 'settled'])
      expect(runs).toMatch(new RegExp(`\\| project [^\\n]*\\b${column}\\b`));
    expect(runs).toContain("startswith 'settled_'");
  });
});
