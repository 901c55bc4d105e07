/**
 * `demo --keep` as an operator uses it: a real process that plays the demo, leaves Azurite and the
 * simulated tenants running and prints the settings to export; with exactly those settings every
 * command works as its own process; Ctrl-C takes the world down (ports closed, files removed).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, run } from './processRun';

/** `export NAME=value` lines, the value unquoted as a POSIX shell would. */
function exportedSettings(text: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const [, name, raw] of text.matchAll(/^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/gm)) {
    const value = raw!.startsWith("'") ? raw!.slice(1, -1).replace(/'\\''/g, "'") : raw!;
    settings[name!] = value;
  }
  return settings;
}

function portOpen(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname.replace(/^\[|\]$/g, ''));
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const demo = spawn(process.execPath, [BIN, 'demo', '--keep', '--size', '60'], {
  env: { PATH: process.env.PATH ?? '' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let stdout = '';
let stderr = '';
demo.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
demo.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
afterAll(() => {
  if (demo.exitCode === null) demo.kill('SIGKILL');
});

describe('demo --keep', () => {
  let env: Record<string, string> = {};
  let worker = '';

  it('prints the settings to export once the demo has played', async () => {
    const deadline = Date.now() + 240_000;
    while (!stdout.includes('Ctrl-C here stops') && Date.now() < deadline && demo.exitCode === null)
      await new Promise((resolve) => setTimeout(resolve, 250));
    expect(stdout, stderr).toContain('Ctrl-C here stops');
    env = exportedSettings(stdout);
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining(['AzureWebJobsStorage', 'CONNECTOR_CONFIG', 'GRAPH_BASE_URL', 'WORKDAY_USERNAME']),
    );
    worker = /attribute-writer status (\S+)/.exec(stdout)?.[1] ?? '';
    expect(worker).not.toBe('');
  }, 250_000);

  it('lets check, runs, status, escrow and resync run against that world with those settings', async () => {
    // The four that only look run at once; resync changes the worker's row and the run list, so it
    // runs after them (beside them, status could show resync's outcome and runs count its run).
    const looks = await Promise.all([
      run(['check', '--json'], env),
      run(['runs', '--json'], env),
      run(['status', worker, '--json'], env),
      run(['escrow', '--json'], env),
    ]);
    const results = [...looks, await run(['resync', worker, '--json'], env)];
    expect(results.map((r) => [r.code, r.stderr.split('\n').find((l) => l.startsWith('attribute-writer:'))])).toEqual(
      results.map(() => [0, undefined]),
    );
    const [, runs, status, , resync] = results.map((r) => JSON.parse(r.stdout) as Record<string, unknown>);
    expect(runs?.count).toBe(5);
    expect(status?.lastOutcome).toBe('written');
    expect((resync?.outcome as { code: string } | undefined)?.code).toBe('unchanged');
  }, 240_000);

  it('takes Azurite and the simulated tenants down on Ctrl-C and removes its files', async () => {
    const storage = /TableEndpoint=([^;]+)/.exec(env.AzureWebJobsStorage ?? '')?.[1] ?? '';
    const urls = [env.GRAPH_BASE_URL!, env.WORKDAY_RAAS_URL!, storage];
    expect(await Promise.all(urls.map(portOpen))).toEqual([true, true, true]);
    demo.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(await Promise.all(urls.map(portOpen))).toEqual([false, false, false]);
    expect(existsSync(env.CONNECTOR_CONFIG!)).toBe(false);
  }, 60_000);
});
