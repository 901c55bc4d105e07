/**
 * What an operator's terminal shows during a cycle: the progress line and warnings by default,
 * one line per worker only when asked (--verbose or LOG_LEVEL); a pipe keeps every line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main';
import { startAzurite, startScenario, type Scenario } from '../scenario/harness';
import type { AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let s: Scenario;
beforeAll(async () => {
  azurite = await startAzurite();
  s = await startScenario(azurite, { size: 30, seed: 3 });
});
afterAll(async () => {
  await s?.close();
  await azurite?.stop();
});

let moves = 0;

/**
 * A cycle after every worker moved house (a new outcome per in-scope worker each time: a repeated
 * outcome sends no event), standard error as a terminal or a pipe gets it.
 */
async function cycle(terminal: boolean, extraArgs: string[] = [], extraEnv: Record<string, string> = {}) {
  moves += 1;
  for (const worker of s.workday.tenant.workers) {
    const home = worker.emails.find((e) => e.usage === 'HOME');
    if (home) home.address = `move${moves}.${worker.workerId.replace(/[^A-Za-z0-9]/g, '') || 'w'}@home.example`;
  }
  let stderr = '';
  const code = await runCli(['cycle', '--approve', '--reverify', ...extraArgs], {
    env: { ...s.env, ...extraEnv },
    stdout: () => {},
    stderr: (text) => (stderr += text),
    stderrIsTerminal: terminal,
  });
  expect(code, stderr).toBe(0);
  return { stderr, workerLines: stderr.split('\n').filter((line) => line.includes('telemetry WorkerOutcome')) };
}

describe('the terminal during a cycle', () => {
  it('shows the progress line and no per-worker line by default', async () => {
    const { stderr, workerLines } = await cycle(true);
    expect(stderr).toMatch(/cycle: \d+\/\d+ workers done/);
    expect(workerLines).toEqual([]);
  });

  it('shows a line per worker with --verbose, or with LOG_LEVEL=debug', async () => {
    expect((await cycle(true, ['--verbose'])).workerLines.length).toBeGreaterThan(0);
    expect((await cycle(true, [], { LOG_LEVEL: 'debug' })).workerLines.length).toBeGreaterThan(0);
  });

  it('keeps every line for a pipe or a log file', async () => {
    expect((await cycle(false)).workerLines.length).toBeGreaterThan(0);
  });
});
