/**
 * The mass-change guard and its approval. A cycle that plans more changes than
 * `guards.maxWritesPerCycle` is held (nothing enqueued) until an operator approves the held plan:
 * `cycle --approve`, or APPROVE_HELD_CYCLE=<held run id> for the timer. An approval covers the
 * plan it names and no more: a later plan with more changes is held again, saying so. It is
 * claimed once (insert-if-absent in the run history) before anything is enqueued, so a failed
 * run record cannot keep it valid for another cycle, and two cycles cannot both spend it.
 */
import type { Pipeline } from './pipeline';
import type { RunRecord } from './ports';

export interface GuardVerdict {
  held: boolean;
  /** Why the cycle is held (over the limit, or over the approved plan). */
  heldReason?: string;
  /** A dry run over the guard: planned in full, but a real cycle would be held. */
  wouldBeHeld: boolean;
  approvedBy: 'flag' | 'setting' | null;
  /** The held cycle whose plan this one was approved as. */
  approvedHeldRun?: string;
}

export async function guardCycle(
  deps: Pick<Pipeline, 'connector' | 'runs' | 'approveHeldCycle'>,
  request: { runId: string; changes: number; approve: boolean; dryRun: boolean },
): Promise<GuardVerdict> {
  const max = deps.connector.guards.maxWritesPerCycle;
  const { changes, dryRun } = request;
  if (changes <= max) return { held: false, wouldBeHeld: false, approvedBy: null };
  const holdFor = (heldReason: string): GuardVerdict =>
    dryRun
      ? { held: false, wouldBeHeld: true, heldReason, approvedBy: null }
      : { held: true, heldReason, wouldBeHeld: false, approvedBy: null };
  const overLimit = `the cycle planned ${changes} changes, over guards.maxWritesPerCycle (${max}); approve with cycle --approve`;
  const wanted = request.approve ? 'flag' : deps.approveHeldCycle ? 'setting' : null;
  if (wanted === null) return holdFor(overLimit);

  const chain = await heldChain(deps);
  const target = wanted === 'flag' ? chain[0] : chain.find((run) => run.runId === deps.approveHeldCycle);
  if (wanted === 'setting' && !target) {
    return holdFor(`${overLimit}; APPROVE_HELD_CYCLE (${deps.approveHeldCycle}) names no held cycle awaiting approval`);
  }
  if (target?.changes !== undefined && changes > target.changes) {
    return holdFor(
      `the cycle planned ${changes} changes, more than the ${target.changes} of held cycle ${target.runId} that the approval covers; review this plan and approve it again`,
    );
  }
  // A dry run plans as if approved and spends nothing.
  if (dryRun || !target) return { held: false, wouldBeHeld: false, approvedBy: wanted };
  const claimed = await deps.runs.claimApproval(target.runId, request.runId);
  // An operator's --approve stands for this plan even when a crashed cycle spent the claim; the setting does not.
  if (!claimed && wanted === 'setting')
    return holdFor(`the approval of held cycle ${target.runId} was already used by another cycle`);
  return { held: false, wouldBeHeld: false, approvedBy: wanted, approvedHeldRun: target.runId };
}

/**
 * The held cycles since the last cycle that went through, newest first (dry runs aside): the
 * plans an approval may name, so a second held timer cycle does not spoil the id an operator copied.
 */
async function heldChain(deps: Pick<Pipeline, 'runs'>): Promise<RunRecord[]> {
  const chain: RunRecord[] = [];
  for (const run of await deps.runs.latest(APPROVAL_LOOKBACK_RUNS)) {
    if (run.kind !== 'cycle' || run.dryRun) continue;
    if (!run.held) break;
    chain.push(run);
  }
  return chain;
}

/** Runs looked at to find the held cycle: a day of one-minute sweeps and half-hourly cycles. */
const APPROVAL_LOOKBACK_RUNS = 2000;
