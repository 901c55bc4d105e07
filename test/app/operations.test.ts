/**
 * The operations the CLI and the Functions bindings share (src/app/operations.ts), over the
 * in-memory ports of test/core/fakes.ts.
 */
import { describe, expect, it } from 'vitest';
import { runCycle } from '../../src/app/operations';
import type { Outcome } from '../../src/core/outcome';
import type { Telemetry } from '../../src/core/ports';
import { connectorOf, FakeSource, pipelineOf, rowOf } from '../core/fakes';

describe('runCycle', () => {
  // The workbook lists held and conflict workers from WorkerOutcome events, so outcomes decided
  // while planning (held, rejected, conflicts) must reach telemetry as the queue's outcomes do.
  it('emits a WorkerOutcome event for every worker a cycle holds', async () => {
    const events: Outcome[] = [];
    const telemetry: Telemetry = {
      workerOutcome: (outcome) => void events.push(outcome),
      runCompleted: () => {},
      flush: async () => {},
    };
    const deps = pipelineOf({
      telemetry,
      source: new FakeSource([rowOf('W1'), rowOf('W2'), rowOf('W3')]),
      connector: connectorOf({ guards: { maxWritesPerCycle: 2 } }),
    });
    const summary = await runCycle(deps);
    expect(summary.counts.held).toBe(3);
    expect(
      events
        .filter((e) => e.code === 'held')
        .map((e) => e.workerId)
        .sort(),
    ).toEqual(['W1', 'W2', 'W3']);
  });
});
