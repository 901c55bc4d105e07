/**
 * Drift: a value this connector wrote, replaced in Entra since, by sync or by hand. Cloud Sync
 * carries `usageLocation` from AD's `msExchUsageLocation` where AD has it, so there the two
 * writers would overwrite each other forever, on a property that drives licensing.
 *
 * Re-verification (`cycle --reverify`, or the periodic one) sees it: the worker's data has not
 * changed since the connector wrote (same desired hash), the ledger's `writtenHashes` say the
 * connector wrote the desired value, and Graph now holds something else. The first time, the value
 * is written again and the outcome says so (reason `drift`). From the second time for the same
 * worker and property, that property is left as Entra has it and the worker ends `conflict`
 * (reason `overwrittenInEntra`) until its data changes; the other properties are still written.
 */
import { type DesiredState, valueHash, type WritePlan } from './mapping';
import type { Outcome } from './outcome';
import type { LedgerEntry, WorkerJob } from './ports';

/** How many replacements of one written value the connector sees before it stops rewriting it. */
export const DRIFT_LIMIT = 2;

export interface DriftVerdict {
  /** The plan to apply: the given-up properties taken out. */
  plan: WritePlan;
  /** Replacements seen per property since the worker's data last changed (the ledger keeps them). */
  counts: Record<string, number>;
  /** Properties found replaced in this check. */
  drifted: string[];
  /** Properties left as Entra has them: replaced DRIFT_LIMIT times. */
  givenUp: string[];
}

export function assessDrift(
  plan: WritePlan,
  desired: DesiredState,
  job: WorkerJob,
  previous: LedgerEntry | null,
): DriftVerdict {
  // New data starts a new count: the connector writes the new value, whoever changed the old one.
  if (!previous || previous.desiredHash !== job.desiredHash) return { plan, counts: {}, drifted: [], givenUp: [] };
  const counts = { ...previous.drift };
  const drifted: string[] = [];
  for (const { property } of plan.changes) {
    const want = desired[property];
    if (want === null || want === undefined || previous.writtenHashes?.[property] !== valueHash(want)) continue;
    counts[property] = Math.min((counts[property] ?? 0) + 1, DRIFT_LIMIT);
    drifted.push(property);
  }
  const givenUp = drifted.filter((property) => (counts[property] ?? 0) >= DRIFT_LIMIT);
  return { plan: withoutProperties(plan, givenUp), counts, drifted, givenUp };
}

/** The outcome once the verdict's plan is applied: `written` is told apart when it was a rewrite. */
export function driftOutcome(verdict: DriftVerdict, written: Outcome): Outcome {
  if (verdict.givenUp.length > 0) {
    return {
      ...written,
      code: 'conflict',
      reason: 'overwrittenInEntra',
      detail: `${verdict.givenUp.join(', ')} written by this connector was replaced in Entra ${DRIFT_LIMIT} times (by sync or by hand): left as Entra holds it until the worker's data changes`,
    };
  }
  if (verdict.drifted.length > 0)
    return {
      ...written,
      reason: 'drift',
      detail: `${verdict.drifted.join(', ')} written by this connector was replaced in Entra; written again once`,
    };
  return written;
}

/** A worker left to Entra's value: settled until its data changes, like `written`. */
export function isLeftToEntra(entry: Pick<LedgerEntry, 'lastOutcome' | 'reason'> | null | undefined): boolean {
  return entry?.lastOutcome === 'conflict' && entry.reason === 'overwrittenInEntra';
}

function withoutProperties(plan: WritePlan, properties: readonly string[]): WritePlan {
  if (properties.length === 0) return plan;
  const gone = new Set(properties);
  return {
    patch: Object.fromEntries(Object.entries(plan.patch).filter(([property]) => !gone.has(property))),
    authenticationEmail: gone.has('authenticationEmail') ? null : plan.authenticationEmail,
    changes: plan.changes.filter((change) => !gone.has(change.property)),
    writtenHashes: Object.fromEntries(Object.entries(plan.writtenHashes).filter(([property]) => !gone.has(property))),
  };
}
