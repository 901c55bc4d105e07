/**
 * A whole connector on loopback for scenario tests: Azurite (one per test file), simulated
 * Workday and Entra tenants (fresh per scenario), and the real services wired by the composition
 * root, with a clock the test can move and every log line captured.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '../../src/config/settings';
import { createMemoryLogger } from '../../src/app/logger';
import { buildServices, type AppServices } from '../../src/app/services';
import { runCli } from '../../src/cli/main';
import { requiredGraphRoles } from '../../src/core/mappingTargets';
import type { Dependencies } from '../../src/core/dependencies';
import { startAzurite, type AzuriteInstance } from '../support/azurite';
import { startGraphSimulator, type GraphSimOptions, type GraphSimulator } from '../../sim/graph';
export { dangerousRequests } from '../../sim/graph';
import { startWorkdaySimulator, type WorkdaySimulator } from '../../sim/workday';
import { createTenant } from '../../sim/workday/tenant';
import { sharedTokenIssuer, type TokenIssuer } from '../../sim/entra/tokenIssuer';
import { exampleConnector } from '../../sim/exampleConnector';
import { simulatorSettings } from '../../sim/settings';
import { buildWorld, CORPORATE_DOMAIN, type SimWorld } from '../../sim/world';

let prefixCounter = 0;

export interface Scenario {
  world: SimWorld;
  graph: GraphSimulator;
  workday: WorkdaySimulator;
  /** Signs operators' access tokens for the HTTP routes (AUTH_* settings point at it). */
  entra: TokenIssuer;
  services: AppServices;
  env: Record<string, string>;
  logLines: string[];
  connectorPath: string;
  /** Moves the services' clock forward. */
  advance(ms: number): void;
  /** Runs the CLI in process with the scenario's settings; output captured. */
  cli(args: string[], extraEnv?: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export interface ScenarioOptions {
  world?: SimWorld;
  size?: number;
  seed?: number;
  connector?: Record<string, unknown>;
  graph?: GraphSimOptions;
  env?: Record<string, string>;
  dependencies?: Partial<Dependencies>;
}

/** The example connector, with room for a whole world's writes and quick escrow retries. */
export const baseConnector = (): Record<string, unknown> =>
  exampleConnector({
    guards: { maxWritesPerCycle: 100_000, blockedEmailDomains: [CORPORATE_DOMAIN] },
    escrow: { retryAfterMinutes: [1, 2, 5], expireAfterDays: 28 },
  });

/** The Graph application roles the grant script gives for a connector (default: the scenarios' own). */
export const rolesTheConnectorNeeds = (connector: Record<string, unknown> = baseConnector()): string[] =>
  requiredGraphRoles(connector);

export async function startScenario(azurite: AzuriteInstance, options: ScenarioOptions = {}): Promise<Scenario> {
  const world = options.world ?? buildWorld({ size: options.size ?? 120, seed: options.seed ?? 11 });
  const [graph, workday, entra] = await Promise.all([
    startGraphSimulator({ deletedItemsFilter: 'supported', ...options.graph }),
    startWorkdaySimulator({ tenant: createTenant(world.workers) }),
    sharedTokenIssuer(),
  ]);
  graph.loadUsers(world.users);
  const dir = mkdtempSync(join(tmpdir(), 'aw-scenario-'));
  const connectorPath = join(dir, 'connector.json');
  writeFileSync(connectorPath, JSON.stringify(options.connector ?? baseConnector(), null, 2));
  const env: Record<string, string> = {
    ...simulatorSettings({
      storageConnectionString: azurite.connectionString,
      workday,
      graph,
      connectorPath,
      tablePrefix: `s${++prefixCounter}${process.pid}`,
    }),
    ...entra.settings,
    ...options.env,
  };
  const logger = createMemoryLogger('debug');
  let offset = 0;
  const services = buildServices(loadSettings(env), {
    logger,
    dependencies: { clock: { now: () => new Date(Date.now() + offset) }, ...options.dependencies },
  });
  return {
    world,
    graph,
    workday,
    entra,
    services,
    env,
    logLines: logger.lines,
    connectorPath,
    advance: (ms) => {
      offset += ms;
    },
    async cli(args, extraEnv = {}) {
      let stdout = '';
      let stderr = '';
      const cliLogger = createMemoryLogger('debug');
      const code = await runCli(args, {
        env: { ...env, ...extraEnv },
        stdout: (text) => (stdout += text),
        stderr: (text) => (stderr += text),
        logger: cliLogger,
      });
      logger.lines.push(...cliLogger.lines);
      return { code, stdout, stderr: stderr + cliLogger.lines.join('\n') };
    },
    async close() {
      await services.close();
      await Promise.all([graph.close(), workday.close()]);
    },
  };
}

export function patches(graph: GraphSimulator) {
  return graph.requests.filter((r) => r.method === 'PATCH' && /^\/users\/[^/]+$/.test(r.path));
}

/**
 * Drain options for an in-process cycle whose jobs fail on purpose: a failed job is visible again at
 * once instead of after the host's backoff (2, 4, 8, 16 s of real time before the poison queue).
 * The retries, their count and the poison queue are the same; only the wait is gone.
 */
export const NO_RETRY_WAIT = { retryDelaySeconds: () => 0 };

export { startAzurite };
