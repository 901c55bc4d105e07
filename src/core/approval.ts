/**
 * The mass-change guard and its approval. A cycle that plans more changes than
 * `guards.maxWritesPerCycle` is held (nothing enqueued) until an operator approves the held plan:
 * `cycle --approve`, an operator's approval recorded on the held run through the HTTP route
 * (`POST /api/cycles/{runId}/approve`, honoured by the next timer cycle), or
 * APPROVE_HELD_CYCLE=<held run id> for the timer. An approval covers the
 * plan it names and no more: a later plan with more changes is held again, saying so. It is
 * claimed once (insert-if-absent in the run history) before anything is enqueued, so a failed
 * run record cannot keep it valid for another cycle, and two cycles cannot both spend it.
 */
import { AppError } from './errors';
import type { Dependencies } from './dependencies';

/** How a held plan was approved: `--approve`, APPROVE_HELD_CYCLE, or the HTTP approve route. */
export type ApprovalSource = 'flag' | 'setting' | 'route';

export interface GuardVerdict {
  held: boolean;
  /** Why the cycle is held (over the limit, or over the approved plan). */
  heldReason?: string;
  /** A dry run over the guard: planned in full, but a real cycle would be held. */
  wouldBeHeld: boolean;
  approvedBy: ApprovalSource | null;
  /** The held cycle whose plan this one was approved as. */
  approvedHeldRun?: string;
}

export async function guardCycle(
  deps: Pick<Dependencies, 'connector' | 'runs' | 'approveHeldCycle'>,
  request: { runId: string; changes: number; approve: boolean; approveRun?: string; dryRun: boolean },
): Promise<GuardVerdict> {
  const max = deps.connector.guards.maxWritesPerCycle;
  const { changes, dryRun } = request;
  // A named approval must name a held plan, whatever this cycle plans: a typo is said at once.
  const chain = request.approveRun || deps.approveHeldCycle ? await deps.runs.heldAwaitingApproval() : null;
  if (request.approveRun && !chain?.some((run) => run.runId === request.approveRun)) {
    throw new AppError(
      'INPUT.INVALID',
      `--approve ${request.approveRun}: no held cycle awaiting approval has that run id (attribute-writer runs lists them)`,
    );
  }
  if (changes <= max) return { held: false, wouldBeHeld: false, approvedBy: null };
  const holdFor = (heldReason: string): GuardVerdict =>
    dryRun
      ? { held: false, wouldBeHeld: true, heldReason, approvedBy: null }
      : { held: true, heldReason, wouldBeHeld: false, approvedBy: null };
  const overLimit = `the cycle planned ${changes} changes, over guards.maxWritesPerCycle (${max}); approve with cycle --approve or POST /api/cycles/<runId>/approve`;
  // Only a cycle over the limit looks for an approval recorded through the route (one table query).
  const held = chain ?? (await deps.runs.heldAwaitingApproval());
  const wanted: ApprovalSource | null = request.approve
    ? 'flag'
    : deps.approveHeldCycle
      ? 'setting'
      : held.some((run) => run.approval)
        ? 'route'
        : null;
  if (wanted === null) return holdFor(overLimit);

  const named = wanted === 'flag' ? request.approveRun : deps.approveHeldCycle;
  const target =
    wanted === 'route' ? held.find((run) => run.approval) : named ? held.find((run) => run.runId === named) : held[0];
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
  // An operator's --approve stands for this plan even when a crashed cycle spent the claim; a recorded approval does not.
  if (!claimed && wanted !== 'flag')
    return holdFor(`the approval of held cycle ${target.runId} was already used by another cycle`);
  return { held: false, wouldBeHeld: false, approvedBy: wanted, approvedHeldRun: target.runId };
}
