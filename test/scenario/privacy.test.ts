/**
 * Privacy: a whole connector's day with every log line, CLI output, HTTP answer, telemetry record
 * and reporting table entity captured; none may hold a personal email in full.
 */
import { HttpRequest, InvocationContext } from '@azure/functions';
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resyncRoute } from '../../src/functions/resyncRoute';
import { workerStatusRoute } from '../../src/functions/workerStatusRoute';
import { useServices } from '../../src/functions/hostServices';
import { startAzurite, startScenario, type Scenario } from './harness';
import type { AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let s: Scenario;
const captured: string[] = [];
let emailsAtStart: string[] = [];

beforeAll(async () => {
  azurite = await startAzurite();
  s = await startScenario(azurite, { size: 200, seed: 21 });
  emailsAtStart = personalEmails();
});
afterAll(async () => {
  useServices(undefined);
  await s?.close();
  await azurite?.stop();
});

function personalEmails(): string[] {
  return [
    ...emailsAtStart,
    'changed.address@example.org',
    ...s.world.workers
      .flatMap((w) => w.emails.filter((e) => e.usage === 'HOME').map((e) => e.address))
      .filter((a) => a.includes('@')),
  ];
}

describe('privacy across a whole run', () => {
  it('runs cycle, dry run, sweep, resync, status and escrow through the CLI and the HTTP functions', async () => {
    for (const args of [
      ['cycle', '--approve'],
      ['cycle', '--dry-run', '--reverify'],
      ['cycle', '--json'],
      ['sweep'],
      ['escrow'],
      ['escrow', '--json'],
    ]) {
      const { code, stdout, stderr } = await s.cli(args);
      expect(code, `${args.join(' ')}: ${stderr}`).toBe(0);
      captured.push(stdout, stderr);
    }
    const written = s.world.workers.find((w) => s.graph.usersByEmployeeId(w.workerId)[0]?.otherMails.length === 1)!;
    for (const args of [
      ['resync', written.workerId, '--json'],
      ['resync', written.workerId, '--dry-run'],
      ['status', written.workerId, '--json'],
    ]) {
      const { code, stdout, stderr } = await s.cli(args);
      expect(code).toBe(0);
      captured.push(stdout, stderr);
    }
    useServices(s.services);
    // The worker's personal email changes in Workday, so the dry-run diff holds emails to mask.
    s.workday.tenant.workers
      .find((w) => w.workerId === written.workerId)!
      .emails.find((e) => e.usage === 'HOME')!.address = 'changed.address@example.org';
    const context = new InvocationContext({ invocationId: 'privacy-1', functionName: 'resyncWorker' });
    const headers = { authorization: `Bearer ${s.entra.token({ roles: ['AttributeWriter.Resync'] })}` };
    const resync = await resyncRoute(
      new HttpRequest({
        method: 'POST',
        url: `http://localhost/api/workers/${written.workerId}/resync?dryRun=true`,
        params: { workerId: written.workerId },
        headers,
      }),
      context,
    );
    const status = await workerStatusRoute(
      new HttpRequest({
        method: 'GET',
        url: `http://localhost/api/workers/${written.workerId}`,
        params: { workerId: written.workerId },
        headers,
      }),
      context,
    );
    captured.push(JSON.stringify(resync.jsonBody), JSON.stringify(status.jsonBody));
    expect(JSON.stringify(resync.jsonBody)).toMatch(/\*\*\*@/);
  });

  it('shows no personal email in full in any output, log line or telemetry record', () => {
    const everything = [...captured, ...s.logLines].join('\n');
    expect(everything.length).toBeGreaterThan(1000);
    expect(s.logLines.some((l) => l.includes('WorkerOutcome'))).toBe(true);
    const leaked = personalEmails().filter((email) => everything.toLowerCase().includes(email.toLowerCase()));
    expect(leaked).toEqual([]);
  });

  it('keeps reporting tables (ledger, run history) free of personal emails', async () => {
    const leaks: string[] = [];
    const emails = personalEmails().map((e) => e.toLowerCase());
    for (const suffix of ['Ledger', 'Runs']) {
      const table = TableClient.fromConnectionString(azurite.connectionString, `${s.env.TABLE_PREFIX}${suffix}`, {
        allowInsecureConnection: true,
      });
      for await (const entity of table.listEntities()) {
        const text = JSON.stringify(entity).toLowerCase();
        for (const email of emails) if (text.includes(email)) leaks.push(`${suffix}: ${email.slice(0, 2)}…`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
