/**
 * What telemetry a deployment pays for (docs/cost.md): per-worker `WorkerOutcome` events only
 * where a person may need to act on that worker, everything else as counts on `RunCompleted`.
 * Counted with the log sink, which receives exactly the records Application Insights would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTCOME_CODES } from '../../src/core/outcome';
import { startAzurite, startScenario, type Scenario } from './harness';
import type { AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let s: Scenario;
beforeAll(async () => {
  azurite = await startAzurite();
  s = await startScenario(azurite, { size: 300, seed: 42 });
});
afterAll(async () => {
  await s?.close();
  await azurite?.stop();
});

interface Sent {
  name: string;
  fields: Record<string, string | number>;
}

/** The telemetry events one CLI run sent. */
async function eventsOf(args: string[]): Promise<Sent[]> {
  const run = await s.cli(args);
  expect(run.code, run.stderr).toBe(0);
  return run.stderr
    .split('\n')
    .map((line) => /telemetry (\w+) (\{.*\})$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ name: match[1]!, fields: JSON.parse(match[2]!) as Record<string, string | number> }));
}

const workerEvents = (sent: Sent[]) => sent.filter((e) => e.name === 'WorkerOutcome');
const runEvent = (sent: Sent[]) => sent.find((e) => e.name === 'RunCompleted')!;
/** Every worker the run gave an outcome: planning's own (`counts.*`) and its jobs' (`settled_*`). */
const counted = (run: Sent) =>
  OUTCOME_CODES.reduce(
    (sum, code) => sum + Number(run.fields[`counts.${code}`] ?? 0) + Number(run.fields[`settled_${code}`] ?? 0),
    0,
  );

describe('telemetry cost of a 300-worker tenant', () => {
  it('sends no event per out-of-scope or unchanged worker, even on the first cycle', async () => {
    const sent = await eventsOf(['cycle']);
    const codes = new Set(workerEvents(sent).map((e) => e.fields.code));
    expect(codes.has('outOfScope')).toBe(false);
    expect(codes.has('unchanged')).toBe(false);
    // They are counted on the run instead.
    expect(Number(runEvent(sent).fields['counts.outOfScope'])).toBeGreaterThan(20);
    expect(workerEvents(sent).length).toBeLessThan(counted(runEvent(sent)));
  });

  it('sends no per-worker event in a steady cycle: every worker is counted on the one run event', async () => {
    const sent = await eventsOf(['cycle']);
    expect(workerEvents(sent)).toEqual([]);
    const run = runEvent(sent);
    // rejected, conflict, denied, escrowed workers are still there to see, as counts.
    expect(Number(run.fields['counts.rejected'])).toBeGreaterThan(0);
    expect(Number(run.fields['counts.conflict'])).toBeGreaterThan(0);
    expect(Number(run.fields['counts.escrowed'])).toBeGreaterThan(0);
    expect(counted(run)).toBeGreaterThanOrEqual(290);
  });

  it('sends no per-worker event for a dry run, however much it would change', async () => {
    const sent = await eventsOf(['cycle', '--dry-run', '--reverify']);
    expect(workerEvents(sent)).toEqual([]);
    expect(counted(runEvent(sent))).toBeGreaterThanOrEqual(290);
  });

  it('tells of a worker again when its outcome changes', async () => {
    const worker = s.world.workers.find(
      (w) => w.workerId !== '' && s.graph.usersByEmployeeId(w.workerId)[0]?.otherMails.length === 1,
    )!;
    const home = worker.emails.find((e) => e.usage === 'HOME')!;
    home.address = 'not-an-address';
    const sent = await eventsOf(['cycle']);
    expect(workerEvents(sent).map((e) => [e.fields.workerId, e.fields.code])).toEqual([[worker.workerId, 'rejected']]);
  });
});
