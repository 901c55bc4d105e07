/**
 * The queries against what the app really sends: a held cycle, its approved re-run (one worker's
 * job failing for good), an escrow sweep and a resync run through the real pipeline (Azurite,
 * the Workday and Graph simulators) with the real exporter pointed at the ingestion stand-in.
 * Every event and metric a query names, every custom dimension and measurement it reads, and
 * every value it compares a dimension with, must be in those envelopes; and every event and
 * metric the app sends must be watched by the workbook or an alert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCycle, runResync, runSweep } from '../../src/app/operations';
import { AppError } from '../../src/core/errors';
import type { Directory } from '../../src/core/ports';
import { createTelemetry } from '../../src/telemetry/createTelemetry';
import { baseConnector, startAzurite, startScenario, type Scenario } from '../scenario/harness';
import type { AzuriteInstance } from '../support/azurite';
import { captureLogger } from '../telemetry/fixtures';
import {
  fakeCredential,
  flushUntil,
  hasOpenssl,
  startIngestionStandIn,
  type Envelope,
  type IngestionStandIn,
} from '../telemetry/ingestionStandIn';
import { alertQueries, deployGuideExamples, workbookQueries } from './deployedQueries';
import { analyzeKql, tableReads, type TableRead } from './kusto';

/** One record a table received: its name (event or metric) and its custom fields. */
interface Received {
  name: string;
  dimensions: Record<string, string>;
  measurements: string[];
}

function received(envelopes: Envelope[], baseType: 'EventData' | 'MetricData'): Received[] {
  return envelopes
    .filter((e) => e.data.baseType === baseType)
    .flatMap(({ data: { baseData } }) =>
      (baseType === 'EventData' ? [baseData.name!] : baseData.metrics!.map((m) => m.name)).map((name) => ({
        name,
        dimensions: baseData.properties ?? {},
        measurements: Object.keys(baseData.measurements ?? {}),
      })),
    );
}

/**
 * Every way a query's read of a table misses what the table received. The records that count
 * are the ones the read keeps: its names, and the values it keeps a dimension to
 * (`code == 'failed'`), so a field must be on the very records the query looks at.
 */
export function unsentReads(read: TableRead, tables: Record<string, Received[]>): string[] {
  const table = tables[read.table];
  if (!table) return [];
  const names = [...new Set(read.names)];
  const problems = names
    .filter((name) => !table.some((r) => r.name === name))
    .map((name) => `${read.table} never receives '${name}'`);
  const named = table.filter((r) => names.length === 0 || names.includes(name(r)));
  const what = names.join('/') || read.table;
  for (const { dimension, values } of read.dimensionValues) {
    const sent = new Set(named.map((r) => r.dimensions[dimension]).filter((v): v is string => v !== undefined));
    const unsent = values.filter((value) => sent.size > 0 && !sent.has(value));
    if (unsent.length > 0)
      problems.push(
        `customDimensions.${dimension} of ${what} is never ${unsent.map((v) => `'${v}'`).join(', ')} (sent: ${[...sent].sort().join(', ')})`,
      );
  }
  const keeps = read.dimensionValues.filter((d) => d.keeps);
  const kept = named.filter((r) =>
    keeps.every(({ dimension, values }) => values.includes(r.dimensions[dimension] ?? '')),
  );
  const described = [what, ...keeps.map(({ dimension, values }) => `${dimension} ${values.join('|')}`)].join(', ');
  for (const dimension of new Set(read.dimensions)) {
    if (!kept.some((r) => dimension in r.dimensions))
      problems.push(`no record (${described}) carries customDimensions.${dimension}`);
  }
  for (const measurement of new Set(read.measurements)) {
    if (!kept.some((r) => r.measurements.includes(measurement)))
      problems.push(`no record (${described}) carries customMeasurements.${measurement}`);
  }
  return problems;
}

const name = (record: Received) => record.name;

/** The first write Graph is asked for fails for good, so one job outlasts its (single) delivery. */
function failingFirstWrite(directory: Directory): Directory {
  let failed = false;
  return {
    ...directory,
    stats: () => directory.stats(),
    updateUser: async (userId, patch) => {
      if (!failed) {
        failed = true;
        throw new AppError('GRAPH.BAD_RESPONSE', 'stand-in fault for one worker', { transient: true });
      }
      return directory.updateUser(userId, patch);
    },
  };
}

let standIn: IngestionStandIn | undefined;
let azurite: AzuriteInstance | undefined;
let s: Scenario | undefined;
const tables: Record<string, Received[]> = {};

beforeAll(async () => {
  if (!hasOpenssl) return;
  [standIn, azurite] = await Promise.all([startIngestionStandIn(), startAzurite()]);
  const connector = baseConnector();
  const telemetry = createTelemetry({
    connectionString: standIn.connectionString,
    logger: captureLogger(),
    credential: fakeCredential,
  });
  s = await startScenario(azurite, {
    size: 120,
    seed: 11,
    connector: { ...connector, guards: { ...(connector.guards as object), maxWritesPerCycle: 3 } },
    dependencies: { telemetry },
  });
  const services = s.services;
  const held = await runCycle(services);
  const approved = await runCycle(
    { ...services, directory: failingFirstWrite(services.directory) },
    {
      approve: true,
      drain: services.consumer,
      drainOptions: { maxDequeueCount: 1 },
    },
  );
  // One new hire's user never appears: its escrow expires after escrow.expireAfterDays (28).
  for (const user of s.world.pendingUsers.slice(1)) s.graph.addUser(user);
  s.advance(30 * 60_000);
  const sweep = await runSweep(services, { drain: services.consumer });
  const resync = await runResync(services, s.world.workers.find((w) => w.workerId !== '')!.workerId);
  const dryRun = await runCycle(services, { dryRun: true, drain: services.consumer });
  s.advance(29 * 24 * 3_600_000);
  const expiry = await runSweep(services, { drain: services.consumer });
  expect([
    held.held,
    approved.held,
    approved.counts.failed > 0,
    approved.counts.rejected > 0,
    sweep.counts.written > 0,
    resync.summary.kind,
    dryRun.dryRun,
    expiry.counts.expired,
  ]).toEqual([true, false, true, true, true, 'resync', true, 1]);

  const envelopes = standIn.envelopes;
  const kinds = () =>
    new Set(
      envelopes.filter((e) => e.data.baseData.name === 'RunCompleted').map((e) => e.data.baseData.properties?.kind),
    );
  const hasMetrics = () => envelopes.some((e) => e.data.baseType === 'MetricData');
  await flushUntil(
    () => telemetry.flush(),
    () => kinds().size === 3 && hasMetrics(),
  );
  tables.customEvents = received(envelopes, 'EventData');
  tables.customMetrics = received(envelopes, 'MetricData');
}, 120_000);

afterAll(async () => {
  await s?.close();
  await Promise.all([azurite?.stop(), standIn?.close()]);
});

const queries = [...alertQueries(), ...workbookQueries()];

describe.skipIf(!hasOpenssl)('the queries against the envelopes of a cycle, a sweep and a resync', () => {
  it('captured a held cycle, an approved one, a sweep and a resync, with events and metrics', () => {
    const completed = tables.customEvents!.filter((r) => r.name === 'RunCompleted');
    expect([...new Set(completed.map((r) => r.dimensions.kind))].sort()).toEqual(['cycle', 'resync', 'sweep']);
    expect(tables.customEvents!.some((r) => r.name === 'CycleHeld')).toBe(true);
    expect(tables.customMetrics!.length).toBeGreaterThan(0);
  });

  it.each(queries.map((q) => [q.id, q.query]))('%s reads only what the app sends', (_id, query) => {
    const reads = tableReads(analyzeKql(query).syntax);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.flatMap((read) => unsentReads(read, tables))).toEqual([]);
  });

  // The guide's examples compare ids an operator fills in (`workerId == '21001'`): names and fields only.
  it.each(deployGuideExamples().map((q) => [q.id, q.query]))(
    '%s reads only names and fields the app sends',
    (_id, query) => {
      const reads = tableReads(analyzeKql(query).syntax).map((read) => ({ ...read, dimensionValues: [] }));
      expect(reads.flatMap((read) => unsentReads(read, tables))).toEqual([]);
    },
  );

  it('every event and metric the app sends is watched by the workbook or an alert', () => {
    const watched = new Set(queries.flatMap((q) => tableReads(analyzeKql(q.query).syntax).flatMap((r) => r.names)));
    const sent = [...new Set([...tables.customEvents!, ...tables.customMetrics!].map(name))];
    expect(sent.filter((name) => !watched.has(name))).toEqual([]);
  });

  it('would notice a name, a dimension, a measurement or a value the app does not send (the check can fail)', () => {
    const problems = (query: string) => unsentReads(tableReads(analyzeKql(query).syntax)[0]!, tables);
    expect(problems("customEvents | where name == 'WorkerOutcomes'")).toEqual([
      "customEvents never receives 'WorkerOutcomes'",
    ]);
    expect(problems("customEvents | where name == 'WorkerOutcome' | project customDimensions['outcome']")).toEqual([
      'no record (WorkerOutcome) carries customDimensions.outcome',
    ]);
    expect(problems("customEvents | where name == 'CycleHeld' | project toint(customMeasurements.held)")).toEqual([
      'no record (CycleHeld) carries customMeasurements.held',
    ]);
    expect(
      problems("customEvents | where name == 'RunCompleted' and tostring(customDimensions.held) != 'True'"),
    ).toEqual(["customDimensions.held of RunCompleted is never 'True' (sent: false, true)"]);
    expect(
      problems(
        "customMetrics | where name == 'AttributeWriter.Outcomes' | extend w = tostring(customDimensions.workerId)",
      ),
    ).toEqual(['no record (AttributeWriter.Outcomes) carries customDimensions.workerId']);
    // Fields are looked for on the records the query keeps: a sweep is never held.
    expect(
      problems(
        "customEvents | where name in ('RunCompleted', 'CycleHeld') and tostring(customDimensions.kind) == 'sweep' | extend a = customDimensions.approveWith",
      ),
    ).toEqual(['no record (RunCompleted/CycleHeld, kind sweep) carries customDimensions.approveWith']);
  });
});
