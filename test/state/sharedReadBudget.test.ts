/**
 * The deployment's one resource-unit budget, shown with real OS processes (the compiled app: run
 * `npm run build` first) reading the Graph simulator: each alone would spend 95 % of the budget
 * it knows; together, sharing it through their presence rows in Azurite, they spend no more than
 * the budget within any 10 s, as Graph counts.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphSimulator, startGraphSimulator } from '../../sim/graph';
import { startAzurite, type AzuriteInstance } from '../support/azurite';

const ROOT = resolve(__dirname, '../..');
const READER = join(ROOT, 'test/support/budgetReader.cjs');
/** The tenant's resource units per 10 s as the readers know it (small, so that the test is short). */
const BUDGET = 100;
const WINDOW_MS = 10_000;

let azurite: AzuriteInstance;
let graph: GraphSimulator;

beforeAll(async () => {
  azurite = await startAzurite();
  graph = await startGraphSimulator({ latencyMs: 20 });
}, 60_000);

afterAll(async () => {
  await graph?.close();
  await azurite?.stop();
});

function startReader(name: string, prefix: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [READER], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      STORAGE: azurite.connectionString,
      TABLE_PREFIX: prefix,
      GRAPH_BASE_URL: graph.url,
      BUDGET: String(BUDGET),
      DURATION_MS: '12000',
      NAME: name,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.on('exit', (code) => done({ code, stdout, stderr })));
}

/** The most lookups (one resource unit each) within any span (t − 10 s, t], as Graph's window counts. */
function mostWithinWindow(times: readonly number[]): number {
  let most = 0;
  let tail = 0;
  for (const [head, at] of times.entries()) {
    while (times[tail]! <= at - WINDOW_MS) tail++;
    most = Math.max(most, head - tail + 1);
  }
  return most;
}

describe('the shared resource-unit budget across OS processes', () => {
  it('keeps two reading processes together within the budget in every 10 s', async () => {
    const prefix = `reads${process.pid}`;
    const [a, b] = await Promise.all([startReader('RA', prefix), startReader('RB', prefix)]);
    expect(a.stderr).toBe('');
    expect(b.stderr).toBe('');
    expect([a.code, b.code]).toEqual([0, 0]);
    // Both read, and each counted the other.
    expect(a.stdout).toMatch(/^done [1-9]\d* 2\n$/);
    expect(b.stdout).toMatch(/^done [1-9]\d* 2\n$/);
    const lookups = graph.requests
      .filter((r) => r.method === 'GET' && r.path === '/users')
      .map((r) => r.at)
      .sort((x, y) => x - y);
    // Alone, each would spend 95 % of the budget within the first seconds: 190 together.
    expect(mostWithinWindow(lookups)).toBeLessThanOrEqual(BUDGET);
    expect(mostWithinWindow(lookups)).toBeGreaterThan(BUDGET / 3);
  }, 60_000);
});
