/**
 * Which worker outcomes become a per-worker telemetry event. Each event is a row Log Analytics
 * bills for, and in a steady deployment almost every worker's outcome is the same as last time:
 * an event goes out only where a person may need to act on that one worker (docs/cost.md). The
 * rest is counted on the run's `RunCompleted` event (`counts.*`), which every run sends.
 */
import type { Outcome, OutcomeCode } from '../core/outcome';

/** Outcomes that name a worker someone may have to look at. */
const NEEDS_A_PERSON: ReadonlySet<OutcomeCode> = new Set([
  'written',
  'rejected',
  'escrowed',
  'expired',
  'conflict',
  'denied',
  'failed',
]);

/**
 * Not sent: `unchanged` and `outOfScope` (nothing to do), `held` (the run's `CycleHeld` event says
 * it once), every outcome of a dry run (nothing happened), and an outcome the worker's record
 * already held (`repeated`: told before).
 */
export function needsWorkerEvent(outcome: Pick<Outcome, 'code' | 'repeated'>, context: { dryRun?: boolean }): boolean {
  return NEEDS_A_PERSON.has(outcome.code) && context.dryRun !== true && outcome.repeated !== true;
}
