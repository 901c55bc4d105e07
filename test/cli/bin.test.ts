/**
 * The installed command, as an operator runs it: a real process, the real exit codes, and with
 * --json exactly one JSON object on standard output (logs on standard error).
 * Runs the compiled CLI (`npm test` compiles first).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES, COMMANDS } from '../../src/cli/commands';
import { OUTCOME_CODES } from '../../src/core/outcome';
import { startAzurite, startScenario, type Scenario } from '../scenario/harness';
import type { AzuriteInstance } from '../support/azurite';
import { BIN, run } from './processRun';

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
    expect(JSON.parse(escrow.stdout).entries.length).toBe(
      s.world.pendingUsers.length + s.world.users.filter((u) => u.deleted).length,
    );
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
    const { code, stderr } = await run(['resync', s.world.workers[0]!.workerId || '100001'], {
      ...s.env,
      GRAPH_BASE_URL: 'http://127.0.0.1:9',
    });
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
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('usage: attribute-writer sweep');
  });

  it('lists the run history newest first, as a table and as JSON', async () => {
    const table = await run(['runs'], s.env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^kind +started \(UTC\) +took +Graph +429s +outcomes$/);
    expect(table.stdout).toMatch(/^cycle +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\d+ s +\d+ +\d+ +written \d+/m);
    const json = await run(['runs', '--json', '--last', '2'], s.env);
    expect(json.code).toBe(0);
    const history = JSON.parse(json.stdout) as {
      count: number;
      runs: Array<{
        kind: string;
        startedAt: string;
        counts: Record<string, number>;
        graphRequests: number;
        graphThrottled: number;
        held: boolean;
        approved: boolean;
      }>;
    };
    expect(history.count).toBe(2);
    expect(Date.parse(history.runs[0]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(history.runs[1]!.startedAt));
    expect(history.runs[0]).toMatchObject({ held: false, approved: false, graphThrottled: 0 });
    expect((await run(['runs', '--last', '0'], s.env)).code).toBe(2);
  });

  it("shows one worker's last outcome, what was written and escrow in words, and the same as JSON", async () => {
    const worker = s.world.workers.find((w) => s.graph.usersByEmployeeId(w.workerId)[0]?.otherMails.length === 1)!;
    const text = await run(['status', worker.workerId], s.env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^worker ${worker.workerId}\n  last outcome  (written|unchanged) at `));
    expect(text.stdout).toMatch(/otherMails: .* → \[\w\*\*\*@/);
    expect(text.stdout).toContain('escrow        not escrowed');
    expect(text.stdout).not.toMatch(/[\w.+-]{2,}@example/);
    const json = JSON.parse((await run(['status', worker.workerId, '--json'], s.env)).stdout) as {
      workerId: string;
      known: boolean;
    };
    expect(json).toMatchObject({ workerId: worker.workerId, known: true });
  });
});

describe('progress of a long drain', () => {
  it('prints a plain line every few seconds on standard error while stdout stays one JSON object', async () => {
    const slow = await startScenario(azurite, {
      size: 80,
      seed: 9,
      env: { GRAPH_MAX_WRITES_PER_SECOND: '4', LOG_LEVEL: 'warn' },
    });
    try {
      const { code, stdout, stderr } = await run(['cycle', '--json'], slow.env);
      expect(code, stderr).toBe(0);
      const summary = JSON.parse(stdout) as { enqueued: number; counts: Record<string, number> };
      const lines = stderr.split('\n').filter((line) => line.startsWith('cycle: '));
      const total = summary.enqueued;
      expect(lines[0]).toBe(`cycle: 0/${total} workers (0%) · 0.0 writes/s · 0 × 429 · time left unknown`);
      // A plain line every 5 s: at 4 writes/s the drain lasts long enough for one in the middle.
      expect(
        lines
          .slice(1, -1)
          .some((line) =>
            /^cycle: [1-9]\d*\/\d+ workers \(\d+%\) · \d+\.\d writes\/s · 0 × 429 · ~\d+ s left$/.test(line),
          ),
      ).toBe(true);
      expect(lines.at(-1)).toMatch(
        new RegExp(`^cycle: ${total}/${total} workers done in \\d+ s · \\d+\\.\\d writes/s · 0 × 429$`),
      );
      expect(stderr).not.toContain('\r');
    } finally {
      await slow.close();
    }
  }, 120_000);
});

describe('conventions', () => {
  it('prints the usage of every command on stdout with exit 0 for --help and -h', async () => {
    for (const { code, stdout, stderr } of await Promise.all(['--help', '-h'].map((flag) => run([flag], {})))) {
      expect(code).toBe(0);
      expect(stderr).toBe('');
      for (const name of COMMAND_NAMES) expect(stdout).toContain(`attribute-writer ${name}`);
    }
  });

  it("prints each command's own options for <command> --help, from the table the parser reads", async () => {
    const helps = await Promise.all(COMMAND_NAMES.map((name) => run([name, '--help'], {})));
    for (const [i, name] of COMMAND_NAMES.entries()) {
      const { code, stdout } = helps[i]!;
      expect(code).toBe(0);
      expect(stdout).toContain(`usage: attribute-writer ${name}`);
      for (const option of Object.keys(COMMANDS[name].options)) expect(stdout).toContain(`--${option}`);
    }
    const cycle = await run(['cycle', '-h'], {});
    expect(cycle.stdout).toContain('--full-read');
    expect((await run(['demo', '--help'], {})).stdout).toContain('--size N');
  }, 180_000);

  it('runs the embedded demo from the compiled CLI (the simulators load only for it)', async () => {
    const { code, stdout, stderr } = await run(['demo', '--size', '60', '--json'], {});
    expect(code, stderr.slice(-2000)).toBe(0);
    expect(stdout.trim().startsWith('{')).toBe(true);
    expect(() => JSON.parse(stdout) as unknown).not.toThrow();
  }, 180_000);

  it('prints the version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(await run(['--version'], {})).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it("states one minimum Node version: package.json engines and the command's own check agree", () => {
    const { engines } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    const minimum = /MINIMUM_MAJOR = (\d+);/.exec(readFileSync(BIN, 'utf8'))?.[1];
    expect(engines.node).toBe(`>=${minimum}`);
  });

  // The machine's own Node may be older than the CLI's minimum (22): the CLI runs again on the pinned one.
  const olderNode = ['/usr/bin/node', '/usr/local/bin/node'].find(
    (path) =>
      existsSync(path) && Number(execFileSync(path, ['-p', 'process.versions.node.split(".")[0]']).toString()) < 22,
  );
  it.skipIf(!olderNode)('runs on the pinned Node 22 when started with an older node', async () => {
    const { code, stdout, stderr } = await run(['cycle', '--json'], s.env, olderNode);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toHaveProperty('counts');
  });

  it('names the closest valid option or command after a typo', async () => {
    const option = await run(['cycle', '--aprove'], {});
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("'cycle' does not take --aprove; did you mean --approve?");
    const command = await run(['chek'], {});
    expect(command.code).toBe(2);
    expect(command.stderr).toContain("did you mean 'check'?");
  }, 180_000);
});
