/**
 * The short fault-injection suite (a few hundred workers, fixed seed) over the real pipeline:
 * the children it kills run the compiled `dist/` (npm test builds first). `npm run faults` is the
 * long version; docs/reliability.md holds its figures.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { formatReport } from '../../faults/report';
import { runSuite, WRONG_FIGURES, type SuiteResult } from '../../faults/suite';

let result: SuiteResult;

beforeAll(async () => {
  result = await runSuite({
    seed: 7,
    workers: 120,
    rounds: 3,
    kinds: ['kill-before-watermark', 'poisoned-job', 'functions-host'],
    slowReportMs: 5_000,
    childDeadlineMs: 60_000,
  });
  process.stderr.write(`${formatReport(result, 'short fault suite: seed 7, 120 workers')}\n`);
}, 180_000);

describe('the short fault-injection suite', () => {
  it('really injects the faults it reports on', () => {
    const injected = new Map(result.faults);
    expect(injected.get('kill: after enqueue, before watermark')).toBe(1);
    expect(injected.get('queue: job outlived maxDequeueCount')).toBeGreaterThan(0);
    expect(injected.get('queue: message handed to two invocations (Functions)')).toBeGreaterThan(0);
    expect(injected.get('poison: undecodable message')).toBe(1);
    expect(injected.get('poison: storage error while recording failed')).toBe(1);
  });

  it('counts zero of every wrong figure: no worker without an outcome, no superseded PATCH, no lost escrow entry, no looping job', () => {
    for (const figure of WRONG_FIGURES) {
      const total = result.rounds.reduce((sum, round) => sum + (round[figure] as number), 0);
      expect({ figure, total }).toEqual({ figure, total: 0 });
    }
  });

  it('writes every worker of the backfill before any fault', () => {
    const [backfill] = result.rounds;
    expect(backfill?.patches).toBeGreaterThan(50);
    expect(backfill?.otherMailsWrong).toBe(0);
  });
});
