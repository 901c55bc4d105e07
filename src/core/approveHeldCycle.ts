/**
 * The operator's side of the mass-change guard (approval.ts): an approval recorded on a held run
 * through the HTTP route, which the next cycle honours.
 */
import type { Dependencies } from './dependencies';
import type { Requester, RunRecord } from './ports';

/**
 * An operator approves a held cycle by its run id (the HTTP route): the approval is recorded on
 * the held run, naming them, and the next cycle honours it as it would APPROVE_HELD_CYCLE. Null
 * when no held cycle awaiting approval has that id (already through, a dry run, or a typo).
 */
export async function approveHeldCycle(
  deps: Pick<Dependencies, 'runs' | 'clock' | 'logger'>,
  heldRunId: string,
  approver: Requester,
): Promise<RunRecord | null> {
  const run = await deps.runs.approveHeld(heldRunId, approver, deps.clock.now());
  if (run)
    deps.logger.log(
      'warn',
      `held cycle ${heldRunId} approved by ${approver.name}; the next cycle lets its plan through`,
      {
        runId: heldRunId,
        approvedById: approver.objectId,
      },
    );
  return run;
}
