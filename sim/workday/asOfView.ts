/**
 * The tenant as one Get_Workers request sees it: every worker as of the request's
 * As_Of_Effective_Date and As_Of_Entry_DateTime, and the transaction-log entries the criteria
 * filter on. A change entered in advance is logged once, when entered (`Updated_*` finds it
 * then), and takes effect later without a new entry (only `Effective_*` finds it then).
 */
import type { SimWorker } from '../world';
import { momentOf, type GetWorkersRequest } from './soapRequest';
import type { SimChange, WorkdayTenant } from './tenant';

/** A worker's values as of the request, with the hire date when a hire is on record. */
export type WorkerAsOf = SimWorker & { hireDate?: Date };

interface LogEntry {
  enteredAt: Date;
  effectiveAt: Date;
}

export interface TenantView {
  /** Workers the request's criteria select, as of its moments. */
  select(request: GetWorkersRequest): WorkerAsOf[];
  asOf(worker: SimWorker): WorkerAsOf;
}

export function tenantView(tenant: WorkdayTenant, request: GetWorkersRequest, now: Date): TenantView {
  const effective = request.asOfEffectiveDate ? momentOf(request.asOfEffectiveDate).getTime() : now.getTime();
  const entered = request.asOfEntryDateTime ? new Date(request.asOfEntryDateTime).getTime() : now.getTime();
  const changes = changesByWorker(tenant.changes, entered);

  const asOf = (worker: SimWorker): WorkerAsOf => {
    const own = changes.get(worker.workerId);
    if (!own) return worker;
    const view: WorkerAsOf = { ...worker };
    for (const change of own) if (change.effectiveAt.getTime() <= effective) Object.assign(view, change.set);
    const hire = own.filter((change) => change.hire).pop();
    if (hire) {
      view.hireDate = hire.effectiveAt;
      // Before the first day a hire is on record but not an active worker yet.
      if (hire.effectiveAt.getTime() > effective) view.active = false;
    }
    return view;
  };
  const isFutureHire = (worker: SimWorker): boolean =>
    changes.get(worker.workerId)?.some((change) => change.hire && change.effectiveAt.getTime() > effective) ?? false;
  const logOf = (worker: SimWorker): LogEntry[] => [
    { enteredAt: worker.updatedAt, effectiveAt: worker.updatedAt },
    ...(changes.get(worker.workerId) ?? []),
  ];

  return {
    asOf,
    select(criteria) {
      const inWindow = windowTest(criteria);
      const selected: WorkerAsOf[] = [];
      for (const worker of tenant.workers) {
        // A listing without criteria holds the workers of the day; a future hire is found by its log entry.
        if (inWindow ? !logOf(worker).some(inWindow) : isFutureHire(worker)) continue;
        const view = asOf(worker);
        if (!criteria.excludeInactive || view.active) selected.push(view);
      }
      return selected;
    },
  };
}

/** Each worker's changes entered by the entry moment, in the order they take effect. */
function changesByWorker(changes: readonly SimChange[], enteredBy: number): Map<string, SimChange[]> {
  const byWorker = new Map<string, SimChange[]>();
  for (const change of changes) {
    if (change.enteredAt.getTime() > enteredBy) continue;
    const list = byWorker.get(change.workerId) ?? [];
    list.push(change);
    byWorker.set(change.workerId, list);
  }
  for (const list of byWorker.values()) list.sort((a, b) => a.effectiveAt.getTime() - b.effectiveAt.getTime());
  return byWorker;
}

/** The log entries a request's windows select (both windows when both are sent), or null without criteria. */
function windowTest(request: GetWorkersRequest): ((entry: LogEntry) => boolean) | null {
  const { updatedFrom, updatedThrough, effectiveFrom, effectiveThrough } = request;
  if (!updatedFrom && !effectiveFrom) return null;
  const within = (moment: Date, from: Date | null, through: Date | null): boolean =>
    !from || !through || (moment.getTime() >= from.getTime() && moment.getTime() <= through.getTime());
  return (entry) =>
    within(entry.enteredAt, updatedFrom, updatedThrough) && within(entry.effectiveAt, effectiveFrom, effectiveThrough);
}
