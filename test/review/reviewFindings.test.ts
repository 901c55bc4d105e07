/**
 * Review findings (reviewer session): each `it.fails` documents a defect that the current code
 * has, with the behaviour the contract asks for as the assertion. When a fix lands, the test
 * starts passing, `it.fails` then fails, and the fixer turns it into a plain `it`.
 * Core use cases over the in-memory ports of test/core/fakes.ts: no Azurite, milliseconds.
 */
import { workerOutcomeRecords } from '../../src/telemetry/telemetryRecords';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCycle, runSweep } from '../../src/app/operations';
import { loadSettings } from '../../src/config/settings';
import { enrichWorker } from '../../src/core/enrichWorker';
import { planCycle } from '../../src/core/cycle';
import type { Outcome } from '../../src/core/outcome';
import type { LedgerEntry, Telemetry } from '../../src/core/ports';
import { connectorOf, FakeClock, FakeDirectory, FakeLedger, FakeSource, jobOf, pipelineOf, rowOf, userOf } from '../core/fakes';

const HOUR = 3600_000;
const ROOT = join(__dirname, '..', '..');

describe('APPROVE_HELD_CYCLE', () => {
  // src/core/cycle.ts approvedBySetting reads runs.latest(1), and every escrow sweep (every
  // minute by default) and every resync records a run too: in Azure the held cycle is never the
  // latest run by the time the next cycle starts, so the one-shot approval never applies.
  it('still approves the held cycle when an escrow sweep ran in between', async () => {
    const deps = pipelineOf({
      source: new FakeSource([rowOf('W1'), rowOf('W2'), rowOf('W3')]),
      connector: connectorOf({ guards: { maxWritesPerCycle: 2 } }),
    });
    const held = await runCycle(deps);
    expect(held.held).toBe(true);
    deps.clock.advance(60_000);
    await runSweep(deps);
    deps.clock.advance(29 * 60_000);
    deps.approveHeldCycle = held.runId;
    const next = await runCycle(deps);
    expect(next).toMatchObject({ held: false, approvedBy: 'setting' });
  });
});

describe('incremental SOAP watermark', () => {
  // src/core/cycle.ts: the read is pinned to `startedAt` (As_Of_Entry_DateTime / Updated_Through),
  // but chooseRead takes a second clock.now() after the whole ledger was loaded and commits THAT
  // as the watermark. Changes entered in Workday between the two moments are never read by an
  // incremental read (only by the next full read, a day later).
  it('moves the watermark to the moment the read was pinned to, not later', async () => {
    const clock = new FakeClock();
    class SlowLedger extends FakeLedger {
      override async *list(): AsyncIterable<LedgerEntry> {
        clock.advance(5_000); // loading 100k ledger rows takes time
        yield* super.list();
      }
    }
    const source = new FakeSource([rowOf('W1')], { kind: 'soap', supportsIncremental: true, changedSince: () => [] });
    const deps = pipelineOf({
      clock,
      ledger: new SlowLedger(),
      source,
      connector: connectorOf({ source: { kind: 'soap', fullReadEveryHours: 24 } }),
    });
    await planCycle(deps, { runId: 'cycle-1', dryRun: false, approve: false, reverify: false });
    const pinnedTo = source.reads[0]!.asOf;
    expect(deps.watermarks.values.get('soap:lastRead')).toEqual(pinnedTo);
  });
});

describe('telemetry of planning outcomes', () => {
  // Issue 5: one custom event per worker outcome; infra/kql/workbook/attention-workers.kql lists
  // the `held` and `conflict` workers from WorkerOutcome events. But only the queue pipeline emits
  // WorkerOutcome: outcomes decided while planning (held, rejected, inBothScopes,
  // sharedPersonalEmail, duplicateWorkerId) never reach Application Insights, so the workbook can
  // never show a held worker.
  it('emits a WorkerOutcome event for every worker a cycle holds', async () => {
    const events: Outcome[] = [];
    const telemetry: Telemetry = { workerOutcome: (outcome) => void events.push(outcome), runCompleted: () => {}, flush: async () => {} };
    const deps = pipelineOf({
      telemetry,
      source: new FakeSource([rowOf('W1'), rowOf('W2'), rowOf('W3')]),
      connector: connectorOf({ guards: { maxWritesPerCycle: 2 } }),
    });
    const summary = await runCycle(deps);
    expect(summary.counts.held).toBe(3);
    expect(events.filter((e) => e.code === 'held').map((e) => e.workerId).sort()).toEqual(['W1', 'W2', 'W3']);
  });
});

describe('match on a field other than workerId', () => {
  // src/core/enrichWorker.ts: `job.fields[match.source] ?? job.workerId`. A worker whose match
  // column is empty is silently matched on its worker id instead, i.e. to a user the
  // configuration never pointed at; it should be refused (rejected), not guessed.
  // Fixed by allowing the match on the validated, de-duplicated worker id only.
  it('refuses a connector that matches on anything but the worker id', () => {
    expect(() => connectorOf({ source: { kind: 'raas', fields: { badge: 'Badge' } }, match: { source: 'badge', target: 'employeeId' } })).toThrow(/match\.source must be 'workerId'/);
  });
});

describe('GRAPH_BASE_URL holds no version segment', () => {
  const base = { AzureWebJobsStorage: 'UseDevelopmentStorage=true' };
  it('refuses https://graph.microsoft.com/v1.0', () => {
    expect(() => loadSettings({ ...base, GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0' })).toThrow(/GRAPH_BASE_URL/);
  });
  // The check is /\/(v1\.0|beta)\/?$/ on the whole URL: a version segment followed by more path,
  // or in another case, passes and every request then goes to /V1.0/v1.0/users….
  it('refuses a version segment that is not the last one, or in capitals', () => {
    expect(() => loadSettings({ ...base, GRAPH_BASE_URL: 'https://graph.microsoft.com/V1.0' })).toThrow(/GRAPH_BASE_URL/);
    expect(() => loadSettings({ ...base, GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0/users' })).toThrow(/GRAPH_BASE_URL/);
  });
});

describe('package.json scripts', () => {
  // README "The connector file" documents `npm run schema`; package.json runs
  // dist/scripts/writeConnectorSchema.js, but no scripts/writeConnectorSchema.ts exists.
  it('has a source file behind every `node dist/…` script', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const missing = Object.entries(scripts)
      .map(([name, command]) => [name, /node dist\/(\S+)\.js/.exec(command)?.[1]] as const)
      .filter(([, target]) => target !== undefined && !existsSync(join(ROOT, `${target}.ts`)))
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });
});

describe('README', () => {
  // README "Deploy" step 4 promises "WorkerOutcome events with the masked diff"; the event
  // (src/telemetry/telemetryRecords.ts workerOutcomeRecords) carries code, reason, workerId,
  // runId, operationId and measurements, no diff. And "## Performance" refers to itself.
  it('promises nothing the telemetry does not carry, and has no placeholder section', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    // Fixed: the WorkerOutcome event now carries the masked diff the README promises.
    const [event] = workerOutcomeRecords(
      { code: 'written', workerId: 'W1', changes: [{ property: 'otherMails', before: [], after: ['j***@example.com'] }] },
      { runId: 'r1', durationMs: 1, graphRequests: 1 },
    );
    expect(readme).toContain('with the masked diff');
    expect((event as { properties: Record<string, string> }).properties.changes).toContain('j***@example.com');
    expect(readme).not.toContain('See the Performance section below');
  });
});

describe('reverification after a fix in Entra', () => {
  // Verified correct, kept as a guard: a denied worker is retried by the daily re-verification,
  // so granting a missing permission does not leave every worker denied for good.
  it('re-checks a denied worker once reverifyEveryHours has passed', async () => {
    const deps = pipelineOf({
      source: new FakeSource([rowOf('W1')]),
      directory: new FakeDirectory([userOf({ id: 'user-W1', employeeId: 'W1' })]),
      connector: connectorOf({ guards: { maxWritesPerCycle: 10, reverifyEveryHours: 24 } }),
    });
    deps.directory.refuseUpdate.set('user-W1', { status: 'denied', code: 'Authorization_RequestDenied', message: 'no' });
    await planCycle(deps, { runId: 'c1', dryRun: false, approve: false, reverify: false });
    for (const job of deps.queue.take()) await enrichWorker(job, deps);
    deps.clock.advance(HOUR);
    expect((await planCycle(deps, { runId: 'c2', dryRun: false, approve: false, reverify: false })).enqueued).toBe(0);
    deps.clock.advance(24 * HOUR);
    expect((await planCycle(deps, { runId: 'c3', dryRun: false, approve: false, reverify: false })).enqueued).toBe(1);
  });
});

describe('app settings deployed by the Bicep', () => {
  // infra/app/api.bicep sets APPLICATIONINSIGHTS_AUTHENTICATION_STRING to
  // 'ClientId=<id>;Authorization=AAD', but src/config/settings.ts only accepts
  // /^Authorization=AAD(;ClientId=…)?$/: loadSettings throws at start-up in Azure, so every
  // function invocation fails. test/infra/appSettings.test.ts checks names, never values.
  it('sets an APPLICATIONINSIGHTS_AUTHENTICATION_STRING the settings schema accepts', () => {
    const bicep = readFileSync(join(ROOT, 'infra', 'app', 'api.bicep'), 'utf8');
    const value = /APPLICATIONINSIGHTS_AUTHENTICATION_STRING:\s*'([^']*)'/.exec(bicep)?.[1];
    expect(value).toBeDefined();
    const deployed = value!.replace(/\$\{[^}]*\}/g, '0b7e4f0e-1111-2222-3333-444455556666');
    expect(() =>
      loadSettings({
        AzureWebJobsStorage__queueServiceUri: 'https://account.queue.core.windows.net',
        AzureWebJobsStorage__tableServiceUri: 'https://account.table.core.windows.net',
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING: deployed,
      }),
    ).not.toThrow();
  });
});
