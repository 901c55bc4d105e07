/**
 * The operations the CLI and the Functions bindings share (src/app/operations.ts), over the
 * in-memory ports of test/core/fakes.ts.
 */
import { describe, expect, it } from 'vitest';
import { runCycle } from '../../src/app/operations';
import type { Outcome } from '../../src/core/outcome';
import type { Telemetry } from '../../src/core/ports';
import { connectorOf, FakeSource, dependenciesOf, rowOf } from '../core/fakes';

describe('runCycle', () => {
  // A held cycle waits for one approval: its run's counts (RunCompleted, CycleHeld) say how many
  // workers wait. An event per held worker would cost Log Analytics ingestion on every held
  // cycle and tell the operator nothing the counts do not.
  it('sends the counts of a held cycle, not one WorkerOutcome event per held worker', async () => {
    const events: Outcome[] = [];
    const runs: Array<{ counts: { held: number } }> = [];
    const telemetry: Telemetry = {
      workerOutcome: (outcome) => void events.push(outcome),
      runCompleted: (run) => void runs.push(run),
      flush: async () => {},
    };
    const deps = dependenciesOf({
      telemetry,
      source: new FakeSource([rowOf('W1'), rowOf('W2'), rowOf('W3')]),
      connector: connectorOf({ guards: { maxWritesPerCycle: 2 } }),
    });
    const summary = await runCycle(deps);
    expect(summary.counts.held).toBe(3);
    expect(runs.map((run) => run.counts.held)).toEqual([3]);
    expect(events.filter((e) => e.code === 'held')).toEqual([]);
  });
});
