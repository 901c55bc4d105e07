/**
 * The short fault-injection suite (a few hundred workers, fixed seed) over the real pipeline:
 * the children it kills run the compiled `dist/` (npm test builds first). `npm run faults` is the
 * long version; docs/reliability.md holds its figures. The `instances` round runs on its own world:
 * two queue-function processes, the HTTP resync and a CLI on a clock 2 h fast, over data that
 * changes while they drain and PATCHes that Graph answers late.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { formatReport } from '../../faults/report';
import { runSuite, WRONG_FIGURES, type SuiteResult } from '../../faults/suite';

describe('the short fault-injection suite', () => {
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

describe('the short instances round: several processes, a skewed clock, late PATCHes', () => {
  let instances: SuiteResult;
  beforeAll(async () => {
    instances = await runSuite({
      seed: 5,
      workers: 80,
      rounds: 1,
      kinds: ['instances'],
      slowReportMs: 5_000,
      childDeadlineMs: 60_000,
    });
    process.stderr.write(`${formatReport(instances, 'short instances round: seed 5, 80 workers')}\n`);
  }, 180_000);

  it('really races: held and 503 PATCHes, data changed mid-drain, resyncs, two instances, a skewed CLI', () => {
    const injected = new Map(instances.faults);
    const held = instances.faults.filter(([kind]) => kind.startsWith('graph: PATCH held'));
    expect(held.reduce((sum, [, n]) => sum + n, 0)).toBeGreaterThan(0);
    expect(injected.get('workday: data changed again while the queue hosts ran')).toBeGreaterThan(0);
    expect(injected.get('resync: worker resynced while its older job ran')).toBeGreaterThan(0);
    expect(injected.get('cli: cycle on a clock 2 h fast')).toBe(1);
    const round = instances.rounds[1]!;
    expect(round.kind).toBe('instances');
    // The laptop's cycle refused to write: exit 2 (CONFIG.CLOCK_SKEW).
    expect(round.skewedCli).toBe('2');
  });

  it('counts zero of every wrong figure, right after the phase and after convergence', () => {
    for (const figure of WRONG_FIGURES) {
      const total = instances.rounds.reduce((sum, round) => sum + (round[figure] as number), 0);
      expect({ figure, total }).toEqual({ figure, total: 0 });
    }
  });
});
