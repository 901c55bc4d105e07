/**
 * The workbook and alert queries (infra/kql) against what the code emits: every event, metric,
 * dimension and measurement a query names is one the telemetry records carry, and every name in
 * src/core/telemetryNames.ts is watched somewhere.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyCounts, OUTCOME_CODES } from '../../src/core/outcome';
import { TELEMETRY } from '../../src/core/telemetryNames';
import { runRecords, workerOutcomeRecords, type TelemetryRecord } from '../../src/telemetry/telemetryRecords';
import { callArguments, filesUnder, INFRA, parseBicepFile } from './bicep';

const kqlFiles = filesUnder(join(INFRA, 'kql'), '.kql');
const deployedKql = new Map(kqlFiles.map((file) => [relative(INFRA, file), readFileSync(file, 'utf8')]));
/** The example queries an operator copies from the deploy guide must be right too. */
const docsKql = [...readFileSync(join(INFRA, '../docs/deploy.md'), 'utf8').matchAll(/```kusto\n([\s\S]*?)```/g)].map(
  (m, i) => [`docs/deploy.md example ${i + 1}`, m[1]!] as const,
);
const kql = new Map([...deployedKql, ...docsKql]);

const EVENT_NAMES: string[] = [TELEMETRY.workerOutcomeEvent, TELEMETRY.runCompletedEvent, TELEMETRY.cycleHeldEvent];
const METRIC_NAMES: string[] = Object.values(TELEMETRY.metrics);

/** Every record the code can emit, with every optional field present. */
function sampleRecords(): TelemetryRecord[] {
  const run = {
    runId: 'r', kind: 'cycle' as const, startedAt: new Date(), durationMs: 1, dryRun: false, approved: true, held: true,
    counts: Object.fromEntries(OUTCOME_CODES.map((c) => [c, 1])) as ReturnType<typeof emptyCounts>,
    enqueued: 1, graphRequests: 1, graphThrottled: 1, workdayReadMs: 1, note: 'n',
  };
  return [
    ...workerOutcomeRecords({ code: 'denied', workerId: 'w', reason: 'x' }, { runId: 'r', durationMs: 1, graphRequests: 1, operationId: 'op', runKind: 'cycle', dryRun: true }),
    ...runRecords(run, { escrowBacklog: 1, escrowOldestAgeMinutes: 1, operationId: 'op' }),
  ];
}

/** Strip `//` comments so prose in them is not read as a query. */
const code = (text: string) => text.replace(/\/\/.*$/gm, '');

/** Names compared with `name == '…'` or listed in `name in ('…', …)`, with the table they filter. */
function namesUsed(text: string): Array<{ name: string; table: string }> {
  const found: Array<{ name: string; table: string }> = [];
  const source = code(text);
  const pattern = /\bname\s*==\s*'([^']+)'|\bname\s+in\s*\(([^)]*)\)/g;
  for (const match of source.matchAll(pattern)) {
    const before = source.slice(0, match.index);
    const table = [...before.matchAll(/\b(customEvents|customMetrics)\b/g)].pop()?.[1] ?? '(none)';
    const names = match[1] !== undefined ? [match[1]] : [...match[2]!.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
    for (const name of names) found.push({ name, table });
  }
  return found;
}

/** `bag.name` and `bag['name']` references. */
const fieldsUsed = (text: string, bag: 'customDimensions' | 'customMeasurements') =>
  [...code(text).matchAll(new RegExp(`\\b${bag}(?:\\.([A-Za-z_][A-Za-z0-9_]*)|\\['([^']+)'\\])`, 'g'))].map((m) => (m[1] ?? m[2])!);

describe('telemetry names in the KQL', () => {
  it('finds the workbook and alert queries', () => {
    expect([...kql.keys()].some((f) => f.includes('workbook'))).toBe(true);
    expect([...kql.keys()].some((f) => f.includes('alerts'))).toBe(true);
    expect(docsKql.length).toBeGreaterThan(0);
  });

  it.each([...kql.keys()].map((f) => [f]))('%s names only events and metrics the code emits, each in its own table', (file) => {
    const wrong = namesUsed(kql.get(file)!).filter(
      ({ name, table }) => !(table === 'customEvents' ? EVENT_NAMES : table === 'customMetrics' ? METRIC_NAMES : []).includes(name),
    );
    expect(wrong).toEqual([]);
  });

  it.each([...kql.keys()].map((f) => [f]))('%s reads only dimensions and measurements the records carry', (file) => {
    const records = sampleRecords();
    const dimensions = new Set(records.flatMap((r) => Object.keys(r.kind === 'event' ? r.properties : r.dimensions)));
    const measurements = new Set(records.flatMap((r) => (r.kind === 'event' ? Object.keys(r.measurements) : [])));
    const text = kql.get(file)!;
    expect(fieldsUsed(text, 'customDimensions').filter((f) => !dimensions.has(f))).toEqual([]);
    expect(fieldsUsed(text, 'customMeasurements').filter((f) => !measurements.has(f))).toEqual([]);
  });

  it('watches every name in telemetryNames in the workbook or an alert', () => {
    const used = new Set([...deployedKql.values()].flatMap((text) => namesUsed(text).map((u) => u.name)));
    expect([...EVENT_NAMES, ...METRIC_NAMES].filter((name) => !used.has(name))).toEqual([]);
  });

  it('would notice a misspelt name or field (the check can fail)', () => {
    expect(fieldsUsed("x | extend a = customMeasurements['counts.writen'], b = customDimensions.codes", 'customMeasurements')).toEqual(['counts.writen']);
    expect(namesUsed("customEvents | where name == 'WorkerOutcomes'")).toEqual([{ name: 'WorkerOutcomes', table: 'customEvents' }]);
    expect(EVENT_NAMES).not.toContain('WorkerOutcomes');
  });
});

describe('KQL files and the Bicep that loads them', () => {
  const bicepFiles = filesUnder(INFRA, '.bicep');
  const loads = bicepFiles.flatMap((file) =>
    callArguments(parseBicepFile(file), 'loadTextContent').map((path) => ({ bicep: file, kql: relative(INFRA, resolve(dirname(file), path)) })),
  );

  it.each([...deployedKql.keys()].map((f) => [f]))('%s is deployed by some Bicep file', (file) => {
    expect(loads.map((l) => l.kql)).toContain(file);
  });

  it.each([...deployedKql.keys()].map((f) => [f]))('%s has each {{placeholder}} substituted where it is loaded', (file) => {
    const placeholders = [...deployedKql.get(file)!.matchAll(/\{\{([A-Z_]+)\}\}/g)].map((m) => m[0]);
    for (const load of loads.filter((l) => l.kql === file)) {
      const bicep = readFileSync(load.bicep, 'utf8');
      expect(placeholders.filter((p) => !bicep.includes(`'${p}'`))).toEqual([]);
    }
  });
});
