/**
 * A run's figures leave the process under names other programs read: the summary's `--json`
 * fields (operators' scripts, the resync route's answer) and the RunCompleted event's property
 * and measurement names (the workbook's queries). finishRun (src/app/finishRun.ts) derives both
 * from one RunFigures; these cases pin the names for each kind of run, absent fields included.
 */
import { describe, expect, it } from 'vitest';
import { runCycle, runResync, runSweep } from '../../src/app/operations';
import { OUTCOME_CODES } from '../../src/core/outcome';
import type { EscrowEntry, Telemetry } from '../../src/core/ports';
import { runRecords, type TelemetryEvent, type TelemetryRecord } from '../../src/telemetry/telemetryRecords';
import {
  connectorOf,
  FakeDirectory,
  FakeQueue,
  FakeSource,
  MINUTE,
  dependenciesOf,
  rowOf,
  T0,
  userOf,
} from '../core/fakes';

function capturing(): { telemetry: Telemetry; completed: () => TelemetryEvent } {
  const records: TelemetryRecord[] = [];
  const telemetry: Telemetry = {
    workerOutcome: () => {},
    runCompleted: (run, context) => void records.push(...runRecords(run, context)),
    flush: async () => {},
  };
  const completed = () => {
    const events = records.filter((r): r is TelemetryEvent => r.kind === 'event' && r.name === 'RunCompleted');
    expect(events).toHaveLength(1);
    return events[0]!;
  };
  return { telemetry, completed };
}

/** The names `--json` prints, in its order (undefined fields are not printed). */
const jsonNames = (value: unknown) => Object.keys(JSON.parse(JSON.stringify(value)) as object);
const countNames = OUTCOME_CODES.map((code) => `counts.${code}`);

describe('the names a run leaves under', () => {
  it('a held cycle: its summary says the read, the changes, why it is held and the escrow backlog', async () => {
    const { telemetry, completed } = capturing();
    const deps = dependenciesOf({
      telemetry,
      source: new FakeSource([rowOf('W1'), rowOf('W2'), rowOf('W3')]),
      connector: connectorOf({ guards: { maxWritesPerCycle: 2 } }),
    });
    const summary = await runCycle(deps);
    expect(jsonNames(summary)).toEqual([
      'runId',
      'kind',
      'dryRun',
      'held',
      'approvedBy',
      'counts',
      'workers',
      'enqueued',
      'changes',
      'read',
      'workersRead',
      'durationMs',
      'workdayReadMs',
      'heldReason',
      'superseded',
      'drift',
      'graph',
      'escrow',
      'examples',
    ]);
    expect(summary).toMatchObject({ held: true, changes: 3, read: 'full', workersRead: 3, enqueued: 0 });
    expect(summary.escrow).toEqual({ backlog: 0, oldestAgeMinutes: 0 });
    const event = completed();
    expect(Object.keys(event.properties).sort()).toEqual(
      ['runId', 'kind', 'dryRun', 'operationId', 'held', 'approved', 'note'].sort(),
    );
    expect(event.properties.note).toBe(summary.heldReason);
    expect(Object.keys(event.measurements).sort()).toEqual(
      [
        ...countNames,
        'enqueued',
        'graphRequests',
        'graphThrottled',
        'workdayReadMs',
        'durationMs',
        'drift',
        'escrowBacklog',
        'escrowOldestAgeMinutes',
      ].sort(),
    );
    expect(deps.runs.runs[0]).toMatchObject({ kind: 'cycle', held: true, changes: 3, note: summary.heldReason });
  });

  it('a dry cycle over the guard says a real one would be held, and is not held itself', async () => {
    const deps = dependenciesOf({
      source: new FakeSource([rowOf('W1'), rowOf('W2'), rowOf('W3')]),
      directory: new FakeDirectory([
        userOf({ id: 'u1', employeeId: 'W1' }),
        userOf({ id: 'u2', employeeId: 'W2' }),
        userOf({ id: 'u3', employeeId: 'W3' }),
      ]),
      connector: connectorOf({ guards: { maxWritesPerCycle: 2 } }),
    });
    const summary = await runCycle(deps, { dryRun: true, drain: true });
    expect(summary).toMatchObject({ dryRun: true, held: false, wouldBeHeld: true });
    expect(jsonNames(summary)).toContain('wouldBeHeld');
    // Not over the guard: the field is absent, not false.
    const small = await runCycle(dependenciesOf({ source: new FakeSource([rowOf('W1')]) }), { dryRun: true });
    expect(jsonNames(small)).not.toContain('wouldBeHeld');
    expect(jsonNames(small)).not.toContain('heldReason');
  });

  it('a sweep: the escrow backlog it leaves and the poison queue depth it measured, no Workday read', async () => {
    const { telemetry, completed } = capturing();
    const queue = Object.assign(new FakeQueue(), { poisonDepth: async () => 2 });
    const deps = dependenciesOf({ telemetry, queue });
    const entry: EscrowEntry = {
      workerId: 'W9',
      reason: 'notFound',
      firstSeen: new Date(T0.getTime() - 90 * MINUTE),
      attempts: 1,
      nextAttempt: new Date(T0.getTime() - MINUTE),
      job: { workerId: 'W9', runId: 'cycle-0', fields: {}, desiredHash: 'h', version: 1 },
    };
    await deps.escrow.change('W9', () => entry);
    const summary = await runSweep(deps);
    expect(jsonNames(summary)).toEqual([
      'runId',
      'kind',
      'dryRun',
      'held',
      'approvedBy',
      'counts',
      'workers',
      'enqueued',
      'durationMs',
      'workdayReadMs',
      'superseded',
      'drift',
      'graph',
      'escrow',
      'examples',
    ]);
    expect(summary.escrow).toEqual({ backlog: 1, oldestAgeMinutes: 90 });
    expect(completed().measurements).toMatchObject({
      escrowBacklog: 1,
      escrowOldestAgeMinutes: 90,
      poisonQueueDepth: 2,
      'counts.escrowed': 1,
    });
  });

  it('a resync: who asked, and no escrow figure (it does not read the escrow table)', async () => {
    const { telemetry, completed } = capturing();
    const deps = dependenciesOf({
      telemetry,
      source: new FakeSource([rowOf('W1')]),
      directory: new FakeDirectory([userOf({ id: 'u1', employeeId: 'W1' })]),
    });
    const requestedBy = { source: 'entra' as const, name: 'Ops One', objectId: 'oid-1' };
    const { summary } = await runResync(deps, 'W1', { requestedBy });
    expect(jsonNames(summary)).toEqual([
      'runId',
      'kind',
      'dryRun',
      'held',
      'approvedBy',
      'counts',
      'workers',
      'enqueued',
      'durationMs',
      'workdayReadMs',
      'superseded',
      'drift',
      'graph',
      'examples',
      'requestedBy',
    ]);
    expect(summary.requestedBy).toEqual(requestedBy);
    const event = completed();
    expect(event.properties).toMatchObject({ kind: 'resync', requestedById: 'oid-1', requestedByName: 'Ops One' });
    expect(Object.keys(event.measurements)).not.toContain('escrowBacklog');
    expect(deps.runs.runs[0]?.requestedBy).toEqual(requestedBy);
  });
});
