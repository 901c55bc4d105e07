/**
 * Where the Pacer's share of the resource-unit budget comes from when several processes read
 * Graph for one app.
 *
 * Graph's resource-unit budget (3,500 / 5,000 / 8,000 per 10 s by tenant size) is one per app per
 * tenant: every queue-function instance, resync and an operator's CLI of a deployment spend it
 * together. Without a source the Pacer spends up to 95 % of the budget it learned in-process;
 * with one, that times `share()`. The shared source is `src/state/sharedReadBudget.ts`; the
 * mechanism is argued in docs/graph-request-path.md ("One resource-unit budget").
 */
export interface ReadShareSource {
  /**
   * This process's share of the deployment's resource-unit budget now, in (0, 1]. Never waits:
   * it is asked before every request, and being asked is the sign that this process reads.
   */
  share(): number;
}
