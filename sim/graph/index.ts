/**
 * A faithful Microsoft Graph simulator on loopback HTTP for the tests, the demo and the benchmark.
 * It serves the user lookups, writes and $batch the writer uses — with Graph's query rules,
 * error bodies and identity throttling budgets — and the dangerous operations the writer must
 * never call, so that the request log can prove it never did.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimUserSeed } from '../world';
import { FaultQueue } from './faults';
import { type FrontOptions, handleHttp } from './httpFront';
import { IdentityBudgets } from './identityBudgets';
import { RequestRecorder } from './requestRecorder';
import type { SimRuntime } from './simRuntime';
import { TenantDirectory } from './tenantDirectory';
import type { GraphSimOptions, GraphSimulator } from './types';

export type {
  GraphCounters,
  GraphFault,
  GraphRequestLogEntry,
  GraphSimOptions,
  GraphSimulator,
  SimUser,
} from './types';
export { EMAIL_METHOD_ID } from './emailMethodRoutes';
export { GLOBAL_ADMINISTRATOR } from './roleDirectory';
export { dangerousRequests, isDangerousRequest } from './dangerousRequests';
export { ISO_COUNTRY_CODES } from './countries';

export async function startGraphSimulator(options: GraphSimOptions = {}): Promise<GraphSimulator> {
  const clock = options.clock ?? Date.now;
  let url = '';
  const runtime: SimRuntime = {
    directory: new TenantDirectory(clock),
    faults: new FaultQueue(),
    budgets: options.throttling ? new IdentityBudgets(options.throttling) : null,
    recorder: new RequestRecorder(),
    clock,
    baseUrl: () => url,
    deletedItemsFilter: options.deletedItemsFilter ?? 'supported',
    appRoles: options.appRoles ? new Set(options.appRoles) : null,
    pimLicensed: options.pimLicensed ?? true,
  };
  const front: FrontOptions = {
    latencyMs: options.latencyMs ?? 0,
    requireAuthorization: options.requireAuthorization ?? false,
  };
  const server = createServer((req, res) => {
    handleHttp(runtime, front, req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`Graph simulator failure: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  // Clients keep connections alive; close() must not wait for them.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { directory, recorder } = runtime;

  return {
    url,
    addUser: (seed) => directory.add(seed),
    loadUsers: (seeds: SimUserSeed[]) => {
      for (const seed of seeds) directory.add(seed);
    },
    getUser: (id) => directory.get(id),
    usersByEmployeeId: (employeeId) => directory.activeByEmployeeIds([employeeId]),
    softDeleteUser: (id) => {
      const user = directory.get(id);
      if (!user) throw new Error(`The simulated tenant has no user with id ${id}.`);
      directory.softDelete(user);
    },
    allUsers: () => directory.all(),
    requests: recorder.requests,
    counters: () => recorder.counters(),
    resetLog: () => recorder.reset(),
    injectFaults: (fault) => runtime.faults.add(fault),
    delayLanding: (delay) => {
      if (delay) front.landingDelayMs = delay;
      else delete front.landingDelayMs;
    },
    grantDirectoryRole: (principalId, kind) => {
      directory.roles.grant(principalId, kind);
    },
    addRoleAssignableGroup: (displayName, seed) => directory.roles.addGroup(displayName, seed).id,
    setAppRoles: (roles) => {
      runtime.appRoles = roles ? new Set(roles) : null;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
