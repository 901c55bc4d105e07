/**
 * The installed command, as an operator runs it: a real process, the real exit codes, and with
 * --json exactly one JSON object on standard output (logs on standard error).
 * Runs the compiled CLI (`npm test` compiles first).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTCOME_CODES } from '../../src/core/outcome';
import { startAzurite, startScenario, type Scenario } from '../scenario/harness';
import type { AzuriteInstance } from '../support/azurite';

const BIN = join(__dirname, '..', '..', 'bin', 'attribute-writer.js');

function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

let azurite: AzuriteInstance;
let s: Scenario;
beforeAll(async () => {
  azurite = await startAzurite();
  s = await startScenario(azurite, { size: 60, seed: 8 });
});
afterAll(async () => {
  await s?.close();
  await azurite?.stop();
});

describe('attribute-writer (the installed command)', () => {
  it('runs a cycle and prints exactly one JSON object with a count for every outcome code', async () => {
    const { code, stdout, stderr } = await run(['cycle', '--json'], s.env);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout) as { counts: Record<string, number> };
    expect(Object.keys(summary.counts).sort()).toEqual([...OUTCOME_CODES].sort());
    expect(Object.values(summary.counts).reduce((a, b) => a + b, 0)).toBe(60);
  });

  it('resyncs one worker and lists escrow as JSON', async () => {
    const worker = s.world.workers.find((w) => s.graph.usersByEmployeeId(w.workerId)[0]?.otherMails.length === 1)!;
    const resync = await run(['resync', worker.workerId, '--json'], s.env);
    expect(resync.code).toBe(0);
    expect(JSON.parse(resync.stdout).outcome).toMatchObject({ workerId: worker.workerId, code: 'unchanged' });
    const escrow = await run(['escrow', '--json'], s.env);
    expect(escrow.code).toBe(0);
    expect(JSON.parse(escrow.stdout).entries.length).toBe(s.world.pendingUsers.length + s.world.users.filter((u) => u.deleted).length);
  });

  it('exits 2 naming the setting when storage is not configured', async () => {
    const { code, stderr } = await run(['cycle'], { CONNECTOR_CONFIG: s.connectorPath });
    expect(code).toBe(2);
    expect(stderr).toContain('AzureWebJobsStorage');
  });

  it('exits 2 naming CONNECTOR_CONFIG when the connector file is missing', async () => {
    const { code, stderr } = await run(['cycle'], { ...s.env, CONNECTOR_CONFIG: '/nonexistent/connector.json' });
    expect(code).toBe(2);
    expect(stderr).toContain('CONNECTOR_CONFIG');
  });

  it('exits 3 when Graph cannot be reached, having written nothing', async () => {
    const { code, stderr } = await run(['resync', s.world.workers[0]!.workerId || '100001'], { ...s.env, GRAPH_BASE_URL: 'http://127.0.0.1:9' });
    expect(code, stderr).toBe(3);
  }, 180_000);

  it('stops a cycle with exit 3 when Graph cannot be reached, leaving the jobs queued', async () => {
    const { code, stderr } = await run(['cycle', '--reverify'], { ...s.env, GRAPH_BASE_URL: 'http://127.0.0.1:9' });
    expect(code, stderr).toBe(3);
    expect(stderr).toContain('GRAPH.UNAVAILABLE');
    const after = await run(['cycle', '--json'], s.env);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout).counts.failed).toBe(0);
  }, 180_000);

  it('exits 2 with the usage for an unknown command or flag', async () => {
    expect((await run(['frobnicate'], s.env)).code).toBe(2);
    const bad = await run(['sweep', '--approve'], s.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('usage:');
  });
});
