/**
 * Graph's refusals as an operator meets them (issue 9, point 9; issue 11). Graph answers
 * 403 `Authorization_RequestDenied` both to an app without the write permission and to a write
 * on a privileged admin ("Update user" in the Graph reference: sensitive properties such as
 * otherMails of users with privileged administrator roles). Only the second is a worker's
 * `denied`; the first stops the run with exit 3 and keeps every job for the next one.
 */
import { hostMaxDequeueCount, WRITES_REFUSED_FOR_MS } from '../../src/app/jobRunner';
import { startIdentityEndpoint } from '../cli/processRun';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCycle } from '../../src/app/operations';
import type { Directory, RunRecord } from '../../src/core/ports';
import { NO_RETRY_WAIT, patches, rolesTheConnectorNeeds, startAzurite, startScenario, type Scenario } from './harness';
import { hybridWorker, syncedUser, world } from './smallWorld';
import type { AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const WORKERS = ['4001', '4002', '4003', '4004', '4005'];
/** Each of WORKERS a hybrid worker with a synced Entra user. */
const syncedWorkers = () =>
  world(
    WORKERS.map((id) => hybridWorker(id)),
    WORKERS.map((id) => syncedUser(id)),
  );

describe('an app whose write role is missing or not yet propagated', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(azurite, {
      world: syncedWorkers(),
      // Read users and role holders, but no role to write otherMails or usageLocation: every PATCH answers 403.
      graph: {
        appRoles: [
          'User.Read.All',
          'RoleManagement.Read.Directory',
          'GroupMember.Read.All',
          'PrivilegedEligibilitySchedule.Read.AzureADGroup',
        ],
      },
    });
  });
  afterAll(async () => s?.close());

  it('stops the cycle with exit 3, marks no worker denied and keeps every plan waiting for its job', async () => {
    const run = await s.cli(['cycle', '--json']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/GRAPH\.REQUEST_REFUSED|403/);
    // Its queue was in memory: nothing stays queued, and the operator is not told otherwise.
    expect(run.stderr).toContain('the next cycle plans their workers again');
    expect(run.stderr).not.toContain('stay queued');
    // The CLI's jobs lived in its own queue; each plan stays in the ledger without an outcome,
    // which the next cycle enqueues again.
    for (const workerId of WORKERS) {
      const row = await s.services.ledger.get(workerId);
      expect(row?.lastOutcome).not.toBe('denied');
      expect(row?.plannedVersion).toBeGreaterThan(0);
    }
    expect(s.graph.allUsers().every((user) => user.otherMails.length === 0)).toBe(true);
    // The CLI's queue was its own: it says what becomes of the jobs, and the run is on record with why it stopped.
    expect(run.stderr).not.toContain('stay queued');
    expect(run.stderr).toContain('the next cycle plans their workers again');
    const [stopped] = (JSON.parse((await s.cli(['runs', '--json'])).stdout) as { runs: RunRecord[] }).runs;
    expect(stopped).toMatchObject({ kind: 'cycle', enqueued: WORKERS.length });
    expect(stopped?.stopped).toMatch(/^GRAPH\.REQUEST_REFUSED: /);
  });

  it('writes every worker once the role reaches Graph, at the first try after the shared refusal window', async () => {
    s.graph.setAppRoles(null);
    // The refusal stopped every instance for WRITES_REFUSED_FOR_MS (one shared row): no PATCH inside it.
    const blocked = await runCycle(s.services, { drain: s.services.consumer }).catch((err: unknown) => err);
    expect(blocked).toMatchObject({ code: 'GRAPH.REQUEST_REFUSED' });
    expect(patches(s.graph).filter((request) => request.status === 204)).toEqual([]);
    s.advance(WRITES_REFUSED_FOR_MS + 1000);
    await runCycle(s.services, { drain: s.services.consumer });
    // The kept jobs and the new cycle's may both arrive: the second finds the value written.
    for (const workerId of WORKERS)
      expect(['written', 'unchanged']).toContain((await s.services.ledger.get(workerId))?.lastOutcome);
    expect(s.graph.allUsers().every((user) => user.otherMails.length === 1)).toBe(true);
    expect(patches(s.graph).filter((request) => request.status === 204)).toHaveLength(WORKERS.length);
  });

  it("plans the stopped CLI run's workers again in the next CLI cycle, as its message says", async () => {
    const fresh = await startScenario(azurite, {
      world: syncedWorkers(),
      graph: {
        appRoles: [
          'User.Read.All',
          'RoleManagement.Read.Directory',
          'GroupMember.Read.All',
          'PrivilegedEligibilitySchedule.Read.AzureADGroup',
        ],
      },
    });
    try {
      expect((await fresh.cli(['cycle', '--json'])).code).toBe(3);
      fresh.graph.setAppRoles(null);
      fresh.advance(WRITES_REFUSED_FOR_MS + 1000);
      // As the CLI runs it (a queue of its own), on the services' clock past the shared refusal window.
      const next = await runCycle(fresh.services, { drain: true });
      expect(next).toMatchObject({ enqueued: WORKERS.length, counts: { written: WORKERS.length } });
    } finally {
      await fresh.close();
    }
  });
});

// The roles the grant script gives for the scenario's connector, the write roles included.
const GRANTED_ROLES = rolesTheConnectorNeeds();

// The app screens role holders before it writes (safety rule 4, test/scenario/privilegedTargets.test.ts),
// from a read kept a few minutes. A role granted inside that window meets Graph's 403: the second line.
describe('a user who becomes an admin after the role holders were read', () => {
  it("is denied with Graph's code while the others are written", async () => {
    // The app's token names its roles, so a 403 despite a granting role is about the user.
    const identity = await startIdentityEndpoint(GRANTED_ROLES);
    // The managed identity credential reads its endpoint from the process environment.
    const saved = { ...process.env };
    Object.assign(process.env, identity.env);
    const s = await startScenario(azurite, {
      world: syncedWorkers(),
      env: identity.env,
    });
    try {
      await runCycle(s.services, { drain: s.services.consumer });
      const admin = s.graph.usersByEmployeeId('4003')[0]!;
      s.graph.grantDirectoryRole(admin.id, 'active');
      admin.otherMails = ['changed.by.hand@example.org'];
      s.graph.resetLog();
      await runCycle(s.services, { drain: s.services.consumer, reverify: true });
      const entry = await s.services.ledger.get('4003');
      expect([entry?.lastOutcome, entry?.reason]).toEqual(['denied', 'Authorization_RequestDenied']);
      // What the 403 means and what to do, before Graph's own words (kept for Microsoft support).
      const shown = (await s.cli(['status', '4003'])).stdout;
      expect(shown).toContain("Graph refused to change this user's properties (403 Authorization_RequestDenied)");
      expect(shown).toMatch(
        /most likely holds an administrator role.*What to do: .*Graph said: Insufficient privileges/,
      );
      for (const workerId of WORKERS.filter((id) => id !== '4003'))
        expect(['written', 'unchanged']).toContain((await s.services.ledger.get(workerId))?.lastOutcome);
      expect(patches(s.graph).filter((request) => request.status === 403)).toHaveLength(1);
      expect(admin.otherMails).toEqual(['changed.by.hand@example.org']);
    } finally {
      await s.close();
      await identity.close();
      for (const name of Object.keys(identity.env)) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });
});

// "List deletedItems" (Graph reference) supports the user resource's filters: only
// Request_UnsupportedQuery means the tenant will not filter. A 400 of another code is an ordinary
// failure of that worker, and soft-delete detection stays on for every other worker.
describe('deleted items refused with a 400 of another code', () => {
  it('fails the worker it happened to, escrows no one as notFound and keeps detection on', async () => {
    const s = await startScenario(azurite, {
      world: world([hybridWorker('4101'), hybridWorker('4102')], [syncedUser('4101', { deleted: true })]),
      graph: { deletedItemsFilter: { refusedWith: 'BadRequest' } },
    });
    try {
      await runCycle(s.services, { drain: s.services.consumer, drainOptions: NO_RETRY_WAIT });
      for (const workerId of ['4101', '4102']) {
        const entry = await s.services.ledger.get(workerId);
        expect(entry?.lastOutcome).toBe('failed');
      }
      expect(s.logLines.some((line) => line.includes('Graph refuses to filter deletedItems'))).toBe(false);
    } finally {
      await s.close();
    }
  });
});

// One user's PATCH that Graph answers 503 every time is that worker's problem, not Graph being
// down: even when its job gives up before any other job has finished (the fault suite met this
// under a loaded CI machine), the others are written and the job goes to the poison queue.
describe("one user's PATCH failing before any job has succeeded", () => {
  it('poisons that job after maxDequeueCount deliveries and writes every other worker', async () => {
    const s = await startScenario(azurite, {
      world: syncedWorkers(),
    });
    try {
      const failing = s.graph.usersByEmployeeId('4002')[0]!;
      s.graph.injectFaults({
        status: 503,
        count: 1_000,
        retryAfterSeconds: 0,
        match: (method, path) => method === 'PATCH' && path.includes(failing.id),
      });
      // Every other write is answered a second late, after the failing job has given up.
      const real = s.services.directory;
      const slowed: Directory = Object.create(real);
      slowed.updateUser = async (userId, patch, guard) => {
        if (userId !== failing.id) await new Promise((resolve) => setTimeout(resolve, 1_000));
        return real.updateUser(userId, patch, guard);
      };
      const run = await runCycle({ ...s.services, directory: slowed }, { drain: true, drainOptions: NO_RETRY_WAIT });
      expect(run.counts).toMatchObject({ written: WORKERS.length - 1, failed: 1 });
      expect((await s.services.ledger.get('4002'))?.lastOutcome).toBe('failed');
      const failedPatches = patches(s.graph).filter((request) => request.status === 503);
      expect(failedPatches.length).toBeGreaterThanOrEqual(hostMaxDequeueCount());
    } finally {
      await s.close();
    }
  });

  it('still stops the drain when no job gets an answer at all', async () => {
    const s = await startScenario(azurite, {
      world: syncedWorkers(),
    });
    try {
      s.graph.injectFaults({ status: 503, count: 10_000, retryAfterSeconds: 0, match: (method) => method === 'PATCH' });
      const stopped = await runCycle(s.services, { drain: true, drainOptions: NO_RETRY_WAIT }).catch((err) => err);
      expect(stopped).toMatchObject({ code: 'GRAPH.UNAVAILABLE' });
      expect(String(stopped.message)).toContain('the drain stopped');
      for (const workerId of WORKERS) expect((await s.services.ledger.get(workerId))?.lastOutcome).not.toBe('failed');
    } finally {
      await s.close();
    }
  });
});
