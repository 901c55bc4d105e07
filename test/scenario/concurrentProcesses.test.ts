/**
 * Scaled out for real: in every round, separate OS processes run at once over the same workers —
 * an operator's CLI cycle, the timer's cycle (jobs to the shared queue), the queue function
 * draining it, the escrow sweep and HTTP-style resyncs — while the workers' Workday data changes
 * between rounds. After each round every user must hold its worker's latest value (or the
 * documented refusal), no PATCH may carry a value from before the round's data, no settled worker
 * may keep an escrow entry, and the ledger must agree with Graph.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCycle } from '../../src/app/operations';
import type { SimWorker, SimWorld } from '../../sim/world';
import { patches, startAzurite, startScenario, type Scenario } from './harness';
import type { AzuriteInstance } from '../support/azurite';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/attribute-writer.js');
const DIST = join(ROOT, 'dist/src');
const WORKERS = 40;
const ROUNDS = 3;

let azurite: AzuriteInstance;
let s: Scenario;

function hire(i: number): SimWorker {
  const workerId = `C${String(i).padStart(3, '0')}`;
  return {
    workerId,
    workerType: 'Employee',
    employeeType: 'Regular',
    legalEntity: 'Contoso Corp',
    emails: [{ address: `${workerId.toLowerCase()}.r0@home.example`, usage: 'HOME', primary: true }],
    businessSiteCountry: 'GB',
    homeCountry: 'GB',
    active: true,
    updatedAt: new Date(Date.now() - 86_400_000),
  };
}

const userOf = (workerId: string) => ({
  employeeId: workerId,
  displayName: workerId,
  userPrincipalName: `${workerId.toLowerCase()}@contoso.com`,
  onPremisesSyncEnabled: true,
  otherMails: [],
  usageLocation: null,
});

beforeAll(async () => {
  azurite = await startAzurite();
  const workers = Array.from({ length: WORKERS }, (_, i) => hire(i));
  // A quarter are new hires whose users Cloud Sync creates during the rounds.
  const world: SimWorld = {
    workers,
    users: workers.filter((_, i) => i % 4 !== 0).map((w) => userOf(w.workerId)),
    pendingUsers: [],
  };
  s = await startScenario(azurite, { world, connector: undefined });
}, 120_000);

afterAll(async () => {
  await s?.close();
  await azurite?.stop();
});

/** One OS process: the CLI, or a small script over the compiled use cases (the timer, the queue function). */
function processRun(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      args,
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...s.env }, timeout: 120_000 },
      (error, _stdout, stderr) => {
        done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr });
      },
    );
  });
}

const cli = (...args: string[]) => processRun([BIN, ...args]);

/** The deployed app's side, in its own process: `timer` enqueues to the shared queue, `host` drains it. */
function hostProcess(role: 'timer' | 'host') {
  const script = `
    const { loadSettings } = require(${JSON.stringify(join(DIST, 'config/settings.js'))});
    const { buildServices } = require(${JSON.stringify(join(DIST, 'app/services.js'))});
    const { createLogger } = require(${JSON.stringify(join(DIST, 'app/logger.js'))});
    const { runCycle } = require(${JSON.stringify(join(DIST, 'app/operations.js'))});
    const { drainQueue } = require(${JSON.stringify(join(DIST, 'app/drainQueue.js'))});
    (async () => {
      const services = buildServices(loadSettings(process.env), { logger: createLogger({ sink: (l) => process.stderr.write(l + '\\n') }) });
      try {
        if (${JSON.stringify(role)} === 'timer') await runCycle(services);
        else for (let i = 0; i < 3; i++) { await drainQueue(services, services.consumer, { retryDelaySeconds: () => 0 }); await new Promise((r) => setTimeout(r, 300)); }
      } finally { await services.close(); }
    })().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exitCode = 1; });`;
  return processRun(['-e', script]);
}

function changeData(round: number): Map<string, string> {
  const latest = new Map<string, string>();
  for (const worker of s.workday.tenant.workers) {
    const i = Number(worker.workerId.slice(1));
    // Each round a different third of the workers changes its personal email.
    if (i % 3 === round % 3) {
      worker.emails = [
        { address: `${worker.workerId.toLowerCase()}.r${round}@home.example`, usage: 'HOME', primary: true },
      ];
      worker.updatedAt = new Date();
    }
    latest.set(worker.workerId, worker.emails[0]!.address);
  }
  // Cloud Sync creates a few of the new hires' users.
  for (const worker of s.workday.tenant.workers) {
    const i = Number(worker.workerId.slice(1));
    if (i % 4 === 0 && i % 8 === (round % 2) * 4 && s.graph.usersByEmployeeId(worker.workerId).length === 0)
      s.graph.addUser(userOf(worker.workerId));
  }
  return latest;
}

describe('several processes over the same workers', () => {
  it('keeps one truth per worker, round after round', async () => {
    let previous = new Map(s.workday.tenant.workers.map((w) => [w.workerId, w.emails[0]!.address]));
    for (let round = 1; round <= ROUNDS; round++) {
      const latest = changeData(round);
      const before = patches(s.graph).length;
      const runs = await Promise.all([
        cli('cycle', '--approve', '--json'),
        hostProcess('timer'),
        hostProcess('host'),
        cli('sweep', '--json'),
        cli('resync', 'C001', '--json'),
        cli('resync', `C00${round}`, '--json'),
        hostProcess('host'),
      ]);
      for (const run of runs) expect(run.code, run.stderr.slice(-2000)).toBe(0);
      // What a cycle and the queue function do next settles anything left queued.
      await hostProcess('host');
      await runCycle(s.services, { drain: true });

      // A PATCH may carry the last planned value until a newer plan is recorded (the sweep can
      // replay an escrowed hire before this round's cycle planned it); but once a user was given
      // this round's value, no later PATCH may put an older one back.
      const roundPatches = patches(s.graph).slice(before);
      const givenLatest = new Set<string>();
      const stale: string[] = [];
      for (const p of roundPatches) {
        const mails = (p.body as { otherMails?: string[] } | null)?.otherMails;
        if (!mails) continue;
        const current = mails.every((mail) => [...latest.values()].includes(mail));
        if (current) givenLatest.add(p.path);
        else if (givenLatest.has(p.path)) stale.push(`${p.path}: ${mails.join(',')}`);
        else
          expect(
            mails.every((mail) => [...previous.values()].includes(mail)),
            `round ${round}: ${p.path} got ${mails.join(',')}`,
          ).toBe(true);
      }
      expect(stale, `round ${round}: PATCHes that put an older value back`).toEqual([]);

      for (const [workerId, email] of latest) {
        const users = s.graph.usersByEmployeeId(workerId);
        const row = await s.services.ledger.get(workerId);
        const escrowed = await s.services.escrow.get(workerId);
        if (users.length === 0) {
          expect(row?.lastOutcome, `${workerId} has no user`).toBe('escrowed');
          expect(escrowed, `${workerId} escrow entry`).not.toBeNull();
          continue;
        }
        expect(users[0]!.otherMails, `round ${round}: ${workerId}`).toEqual([email]);
        expect(['written', 'unchanged'], `${workerId} ledger`).toContain(row?.lastOutcome);
        expect(escrowed, `${workerId} settled but still in escrow`).toBeNull();
      }
      previous = latest;
    }
  }, 600_000);
});
