/**
 * A dry run an operator can approve from: against the simulated tenant (privileged users, new
 * hires without a user, conflicts, bad data), `cycle --dry-run` predicts the real run's count of
 * every outcome exactly, its escrow figure is what `escrow` lists after the real run, and a second
 * dry run costs no more than a steady cycle (jobs enqueued, per-worker telemetry events).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/app/operations';
import { startAzurite, startScenario, type Scenario } from './harness';
import type { AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let s: Scenario;
beforeAll(async () => {
  azurite = await startAzurite();
  s = await startScenario(azurite, { size: 200, seed: 7 });
});
afterAll(async () => {
  await s?.close();
  await azurite?.stop();
});

interface Run {
  summary: RunSummary;
  /** Per-worker telemetry events the run sent (the log telemetry writes one line each). */
  workerEvents: number;
}

async function cycle(...args: string[]): Promise<Run> {
  const { code, stdout, stderr } = await s.cli(['cycle', '--json', ...args]);
  expect(code, stderr).toBe(0);
  return {
    summary: JSON.parse(stdout) as RunSummary,
    workerEvents: stderr.split('\n').filter((line) => line.includes('telemetry WorkerOutcome')).length,
  };
}

describe('an honest dry run', () => {
  let first: Run;
  let second: Run;
  let real: Run;
  let steady: Run;
  beforeAll(async () => {
    first = await cycle('--dry-run', '--approve');
    second = await cycle('--dry-run', '--approve');
    real = await cycle('--approve');
    steady = await cycle();
  }, 300_000);

  it('predicts the real run’s count of every outcome exactly, privileged users included', () => {
    expect(real.summary.counts.denied).toBeGreaterThan(0);
    expect(real.summary.counts.escrowed).toBeGreaterThan(0);
    expect(real.summary.counts.written).toBeGreaterThan(0);
    expect(first.summary.counts).toEqual(real.summary.counts);
    expect(first.summary.graph.writes).toBe(0);
  });

  it('predicts the same again on a second dry run, which re-checks only what changed', () => {
    expect(second.summary.counts).toEqual(real.summary.counts);
    expect(second.summary.graph.writes).toBe(0);
  });

  it('gives the escrow figure that `escrow` lists after the real run, and says it is a prediction', async () => {
    const listed = JSON.parse((await s.cli(['escrow', '--json'])).stdout) as { count: number };
    expect(first.summary.escrow?.backlog).toBe(listed.count);
    expect(second.summary.escrow?.backlog).toBe(listed.count);
    const text = await s.cli(['cycle', '--dry-run']);
    expect(text.stdout).toMatch(/escrow after a real run: \d+ would wait \(the escrow table is unchanged\)/);
  });

  it('costs no more on the second dry run than a steady cycle: jobs enqueued and per-worker events', () => {
    expect(first.summary.enqueued).toBeGreaterThan(steady.summary.enqueued);
    expect(second.summary.enqueued).toBeLessThanOrEqual(steady.summary.enqueued);
    expect(second.workerEvents).toBeLessThanOrEqual(steady.workerEvents);
    expect(first.workerEvents).toBeLessThanOrEqual(steady.workerEvents);
  });
});
