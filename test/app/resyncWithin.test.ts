/**
 * HTTP resync answers within the platform's 230-second limit: past its deadline the caller gets
 * the status location at once, and the worker's job finishes from the queue (tested here with a
 * deadline of milliseconds and a Workday read slower than it).
 */
import { describe, expect, it } from 'vitest';
import { resyncWithin, RESYNC_DEADLINE_MS } from '../../src/app/resyncWithin';
import type { RawRecord } from '../../src/core/ports';
import { drain, FakeDirectory, FakeSource, dependenciesOf, rowOf, userOf } from '../core/fakes';

/** A Workday whose one-worker read takes `ms` (a slow tenant, or retries after timeouts). */
class SlowSource extends FakeSource {
  constructor(
    records: RawRecord[],
    private readonly ms: number,
  ) {
    super(records);
  }

  override async readWorker(workerId: string): Promise<RawRecord | null> {
    await new Promise((resolve) => setTimeout(resolve, this.ms));
    return super.readWorker(workerId);
  }
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('resyncWithin', () => {
  it('keeps its deadline well below the 230 s an HTTP-triggered function has to answer', () => {
    expect(RESYNC_DEADLINE_MS).toBeLessThanOrEqual(200_000);
  });

  it('answers with the outcome when the resync finishes in time', async () => {
    const deps = dependenciesOf({ source: new SlowSource([rowOf('W1')], 1), directory: new FakeDirectory([userOf()]) });
    const answer = await resyncWithin(deps, 'W1', { deadlineMs: 5_000 });
    expect(answer).toMatchObject({ kind: 'done', outcome: { code: 'written', workerId: 'W1' } });
    expect(deps.queue.take()).toEqual([]);
  });

  it('answers 202 material past the deadline, then hands the job to the queue, which writes it', async () => {
    const deps = dependenciesOf({
      source: new SlowSource([rowOf('W1')], 150),
      directory: new FakeDirectory([userOf()]),
    });
    const started = Date.now();
    const answer = await resyncWithin(deps, 'W1', { deadlineMs: 20 });
    expect(Date.now() - started).toBeLessThan(140);
    expect(answer).toEqual({ kind: 'accepted', workerId: 'W1', location: '/api/workers/W1' });
    expect(deps.directory.updates).toHaveLength(0);
    await settle(250);
    // The resync went on after the answer: its plan is recorded and its job queued, not run inline.
    expect(deps.directory.updates).toHaveLength(0);
    expect(deps.ledger.entries.get('W1')?.plannedVersion).toBeDefined();
    const outcomes = await drain(deps);
    expect(outcomes).toMatchObject([{ code: 'written', workerId: 'W1' }]);
    expect(deps.directory.updates).toHaveLength(1);
  });

  it('refuses a bad worker id at once, without waiting for the deadline', async () => {
    const deps = dependenciesOf();
    await expect(resyncWithin(deps, 'W'.repeat(17), { deadlineMs: 60_000 })).rejects.toMatchObject({
      code: 'INPUT.INVALID',
    });
  });
});
