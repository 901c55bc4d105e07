/**
 * State of one simulated Workday tenant, shared by the RaaS and SOAP handlers of the simulator.
 * Tests and the demo change it in process (add workers, inject faults) and read the request log.
 */
import type { SimWorker } from '../world';

export type WorkdayProtocol = 'raas' | 'soap';

export interface InjectedFault {
  protocol: WorkdayProtocol | 'any';
  /**
   * HTTP status to answer (500, 503), or 'truncate' to cut a RaaS body midway, or 'html' for a
   * maintenance page, or (SOAP) 'invalidCharacter': the real page with `&#x110000;`, a character
   * reference outside Unicode, in its first Worker_ID.
   */
  kind: number | 'truncate' | 'html' | 'invalidCharacter';
  /** How many matching requests still fail. */
  remaining: number;
  /** SOAP only: fail only requests for this page number or later. */
  fromPage?: number;
}

export interface WorkdayRequestLogEntry {
  protocol: WorkdayProtocol;
  /** RaaS: the query string; SOAP: the operation and page. */
  summary: string;
  status: number;
  at: Date;
}

/**
 * A change entered in Workday at one moment and effective at another, as a transfer, a
 * termination or a hire entered in advance is: its transaction-log entry is made when it is
 * entered, and nothing new is logged when it takes effect.
 */
export interface SimChange {
  workerId: string;
  enteredAt: Date;
  effectiveAt: Date;
  /** The worker's values from `effectiveAt` on. */
  set: Partial<Omit<SimWorker, 'workerId' | 'updatedAt'>>;
  /** A hire: before `effectiveAt` the worker is a future-dated hire, not yet in a full listing. */
  hire?: boolean;
}

export interface WorkdayTenant {
  /** The tenant name in URLs, e.g. contoso. */
  name: string;
  /** The integration system user, as sent: `ISU_Entra@contoso`. */
  username: string;
  password: string;
  workers: SimWorker[];
  /** Effective-dated changes on top of `workers` (SOAP only; the RaaS report shows `workers`). */
  changes: SimChange[];
  faults: InjectedFault[];
  requests: WorkdayRequestLogEntry[];
  /**
   * The integration user lacks the domain *Person Data: Home Contact Information* (Microsoft's
   * standard integration-user setup grants only Work Contact Information): Workday answers
   * without any HOME email, and says nothing about it.
   */
  homeContactHidden: boolean;
}

export function createTenant(
  workers: SimWorker[],
  options: Partial<Pick<WorkdayTenant, 'name' | 'username' | 'password'>> = {},
): WorkdayTenant {
  const name = options.name ?? 'contoso';
  return {
    name,
    username: options.username ?? `ISU_Entra@${name}`,
    password: options.password ?? 'simulated-P@ss<word>&',
    workers,
    changes: [],
    faults: [],
    requests: [],
    homeContactHidden: false,
  };
}

/** A worker as the integration user may see it: no HOME email without the Home Contact domain. */
export function seenByIntegrationUser<T extends SimWorker>(tenant: WorkdayTenant, worker: T): T {
  if (!tenant.homeContactHidden) return worker;
  return { ...worker, emails: worker.emails.filter((email) => email.usage !== 'HOME') };
}

/** Consumes one injected fault matching the request, if any. */
export function takeFault(tenant: WorkdayTenant, protocol: WorkdayProtocol, page?: number): InjectedFault | null {
  const fault = tenant.faults.find(
    (f) =>
      f.remaining > 0 &&
      (f.protocol === 'any' || f.protocol === protocol) &&
      (f.fromPage === undefined || (page ?? 1) >= f.fromPage),
  );
  if (!fault) return null;
  fault.remaining -= 1;
  return fault;
}
