/** A Graph directory wired to the simulator with fast, recorded retries and logs. */
import type { TokenCredential } from '@azure/identity';
import type { LogLevel } from '../../src/core/ports';
import { createGraphDirectory, type GraphDirectory, type GraphDirectoryOptions } from '../../src/graph/graphDirectory';
import { afterEach, beforeEach } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../sim/graph/index';

export interface Harness {
  directory: GraphDirectory;
  /** Every wait the retry policy (and the global pause) asked for, in ms. */
  waits: number[];
  logs: Array<{ level: LogLevel; message: string; properties?: Record<string, unknown> }>;
}

export function directoryFor(sim: GraphSimulator, overrides: Partial<GraphDirectoryOptions> = {}): Harness {
  const waits: number[] = [];
  const logs: Harness['logs'] = [];
  const directory = createGraphDirectory({
    baseUrl: sim.url,
    auth: 'none',
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 30_000, sleep: async (ms) => void waits.push(ms) },
    pacing: { coalesceWindowMs: 5, maxWritesPerSecond: 1_000, writeBurst: 50 },
    logger: {
      log: (level, message, properties) => void logs.push({ level, message, ...(properties ? { properties } : {}) }),
    },
    ...overrides,
  });
  return { directory, waits, logs };
}

export function seed(employeeId: string | null, extra: Record<string, unknown> = {}) {
  return {
    employeeId,
    displayName: `User ${employeeId}`,
    userPrincipalName: `u${Math.random().toString(16).slice(2)}@contoso.com`,
    onPremisesSyncEnabled: true,
    ...extra,
  };
}

/**
 * A fresh simulator and directory for every test of the calling `describe`, closed after it;
 * `bind` hands them to the test file's own variables.
 */
export function useSimulatedDirectory(bind: (sim: GraphSimulator, harness: Harness) => void): void {
  let sim: GraphSimulator;
  let harness: Harness;
  beforeEach(async () => {
    sim = await startGraphSimulator();
    harness = directoryFor(sim);
    bind(sim, harness);
  });
  afterEach(async () => {
    await harness.directory.close();
    await sim.close();
  });
}

/** A credential whose access token is a JWT naming these application roles (unsigned: only the claims are read). */
export function tokenWithRoles(roles: string[]): TokenCredential {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const token = `${part({ alg: 'none', typ: 'JWT' })}.${part({ aud: 'https://graph.microsoft.com', roles })}.`;
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
}
