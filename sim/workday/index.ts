/**
 * The Workday simulator: one tenant served as a RaaS report and as SOAP Get_Workers.
 */
export { startWorkdaySimulator, type WorkdaySimulator, type WorkdaySimulatorOptions } from './server';
export {
  createTenant,
  takeFault,
  type InjectedFault,
  type SimChange,
  type WorkdayTenant,
  type WorkdayRequestLogEntry,
} from './tenant';
export { WORKER_PROMPT, reportEntryOf, type RaasReportOptions } from './raasReport';
