/**
 * `attribute-writer demo`: the embedded default. Starts Azurite and simulated Workday and Entra
 * tenants on loopback, then plays a connector's first day: a guarded first cycle, the approved
 * backfill, Cloud Sync catching up with the new hires (escrow sweep), and a quiet steady state.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '../config/settings';
import { OUTCOME_CODES } from '../core/outcome';
import { createMemoryLogger } from '../app/logger';
import { runCycle, runSweep, type RunSummary } from '../app/operations';
import { buildServices, type AppServices } from '../app/services';
import { startAzurite, type AzuriteInstance } from '../../sim/storage/azurite';
import { dangerousRequests, startGraphSimulator, type GraphSimulator } from '../../sim/graph';
import { startWorkdaySimulator, type WorkdaySimulator } from '../../sim/workday';
import { createTenant } from '../../sim/workday/tenant';
import { exampleConnector } from '../../sim/exampleConnector';
import { simulatorSettings } from '../../sim/settings';
import { buildWorld, CORPORATE_DOMAIN } from '../../sim/world';

export interface DemoOptions {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  size?: number;
  json?: boolean;
  /**
   * Leave Azurite and the simulated tenants running after the phases and print the settings with
   * which every command works against them, until `untilStopped` resolves (Ctrl-C in the CLI).
   */
  keep?: { untilStopped: () => Promise<void> };
  /** How a run's summary reads: the CLI's own layout, so the demo shows what `cycle` shows (and imports no CLI module). */
  formatSummary: (summary: RunSummary, options: { examples?: number }) => string;
}

interface Phase {
  title: string;
  summary: RunSummary;
}

export async function runDemo(options: DemoOptions): Promise<number> {
  const say = (text = ''): void => {
    if (!options.json) options.stdout(`${text}\n`);
  };
  let azurite: AzuriteInstance | undefined;
  let graph: GraphSimulator | undefined;
  let workday: WorkdaySimulator | undefined;
  let services: AppServices | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'attribute-writer-demo-'));
  try {
    say('Starting Azurite, a simulated Workday tenant and a simulated Entra tenant on loopback…');
    const world = buildWorld({ size: options.size ?? 300, seed: 7 });
    [azurite, graph, workday] = await Promise.all([
      startAzurite(),
      startGraphSimulator({ deletedItemsFilter: 'supported' }),
      startWorkdaySimulator({ tenant: createTenant(world.workers) }),
    ]);
    graph.loadUsers(world.users);
    const connectorPath = writeDemoConnector(dir);
    const clockOffset = { ms: 0 };
    const logger = createMemoryLogger('info');
    const env = simulatorSettings({
      storageConnectionString: azurite.connectionString,
      workday,
      graph,
      connectorPath,
      tablePrefix: 'demo',
    });
    const settings = loadSettings(env);
    services = buildServices(settings, {
      logger,
      dependencies: { clock: { now: () => new Date(Date.now() + clockOffset.ms) } },
    });
    say(
      `World: ${world.workers.length} workers in Workday, ${world.users.length} users in Entra, ${world.pendingUsers.length} new hires not synced yet.`,
    );
    say(
      `Connector: ${connectorPath} (maxWritesPerCycle ${services.connector.guards.maxWritesPerCycle}, blocked domain ${CORPORATE_DOMAIN})`,
    );
    say();

    const phases: Phase[] = [];
    const run = async (title: string, explain: string, action: () => Promise<RunSummary>): Promise<void> => {
      say(`== ${title}`);
      say(`   ${explain}`);
      const summary = await action();
      phases.push({ title, summary });
      say(indent(options.formatSummary(summary, { examples: 18 })));
      say();
    };
    const drain = true;
    const s = services;
    await run(
      '1. First cycle',
      'The backfill plans more changes than the guard allows: nothing is enqueued until an operator approves.',
      () => runCycle(s, { drain }),
    );
    await run(
      '2. Dry run, as approved',
      'cycle --dry-run --approve: reads Graph, shows the plan, writes nothing.',
      () => runCycle(s, { drain, dryRun: true, approve: true }),
    );
    await run(
      '3. Approved backfill',
      'cycle --approve: one PATCH per user that needs one; new hires without a user are escrowed.',
      () => runCycle(s, { drain, approve: true }),
    );
    for (const user of world.pendingUsers) graph.addUser(user);
    clockOffset.ms += 2 * 60_000;
    await run(
      '4. Cloud Sync catches up, escrow sweep',
      `Cloud Sync created ${world.pendingUsers.length} users; two minutes later the sweep finds them with one batched lookup and writes them.`,
      () => runSweep(s, { drain }),
    );
    graph.resetLog();
    await run(
      '5. Steady state',
      'Nothing changed in Workday: the ledger answers; only unsettled workers (conflicts found in Graph) are looked up again.',
      () => runCycle(s, { drain }),
    );

    const dangerous = dangerousRequests(graph);
    const tryWorker = firstWritten(phases);
    if (options.json)
      options.stdout(
        `${JSON.stringify({ phases: phases.map((p) => ({ title: p.title, ...p.summary })), settings: options.keep ? env : undefined, tryWorker: options.keep ? tryWorker : undefined }, null, 2)}\n`,
      );
    else {
      say('== Outcomes per phase');
      say(countsTable(phases));
      say();
      say(
        `Safety: ${dangerous.length} create/delete/restore requests reached Graph; every write was a PATCH of mapped properties.`,
      );
      say(`Log: ${logger.lines.length} lines, every personal email in it masked.`);
    }
    if (options.keep) {
      // The operator's commands get their own services: these hold no lock and no queue message.
      await services.close();
      services = undefined;
      if (!options.json) say(keptWorld(env, tryWorker));
      else options.stderr('The demo world keeps running; Ctrl-C stops it and removes its files.\n');
      await options.keep.untilStopped();
      options.stderr('Stopping Azurite and the simulated tenants…\n');
    }
    return 0;
  } catch (err) {
    options.stderr(`demo failed: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await services?.close().catch(() => undefined);
    await Promise.all([graph?.close(), workday?.close(), azurite?.stop()].map((p) => p?.catch(() => undefined)));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The settings to paste into a shell, and what to try with them. */
function keptWorld(env: Record<string, string>, tryWorker: string | undefined): string {
  const worker = tryWorker ?? '<workerId>';
  return [
    '== The demo world keeps running',
    '   Paste these settings into another shell (POSIX quoting), then try the commands below:',
    '',
    ...Object.entries(env).map(([name, value]) => `export ${name}=${shellQuoted(value)}`),
    '',
    '   npx attribute-writer check',
    '   npx attribute-writer runs',
    `   npx attribute-writer status ${worker}`,
    '   npx attribute-writer escrow',
    `   npx attribute-writer resync ${worker} --dry-run`,
    '',
    '   Ctrl-C here stops Azurite and the simulated tenants and removes the demo files.',
  ].join('\n');
}

function shellQuoted(value: string): string {
  return /^[A-Za-z0-9_./:@=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A worker the demo wrote, to try `status` and `resync` on. */
function firstWritten(phases: Phase[]): string | undefined {
  for (const phase of phases)
    for (const example of phase.summary.examples)
      if (example.code === 'written' && !phase.summary.dryRun) return example.workerId;
  return undefined;
}

function writeDemoConnector(dir: string): string {
  const connector = exampleConnector({
    guards: { maxWritesPerCycle: 100, blockedEmailDomains: [CORPORATE_DOMAIN], reverifyEveryHours: 24 },
  });
  const path = join(dir, 'connector.json');
  writeFileSync(path, JSON.stringify(connector, null, 2));
  return path;
}

function countsTable(phases: Phase[]): string {
  const header = ['outcome'.padEnd(11), ...phases.map((_, i) => `  #${i + 1}`.padStart(7))].join('');
  const rows = OUTCOME_CODES.map((code) =>
    [code.padEnd(11), ...phases.map((p) => String(p.summary.counts[code]).padStart(7))].join(''),
  );
  const graphRow = [
    'Graph HTTP'.padEnd(11),
    ...phases.map((p) => String(p.summary.graph.httpRequests).padStart(7)),
  ].join('');
  return indent([header, ...rows, graphRow].join('\n'));
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `   ${line}`)
    .join('\n');
}
