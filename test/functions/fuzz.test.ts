/**
 * The HTTP functions under a seeded fuzzer (issue 10): random methods, worker ids, query strings
 * and bodies, a bounded count. Every answer is a 2xx, or a 4xx that says why; never a 5xx; and a
 * refused request writes nothing (the Graph simulator's log shows no PATCH for it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServices } from '../../src/functions/hostServices';
import { seededRandom } from '../../sim/world';
import { patches, startAzurite, startScenario, type Scenario } from '../scenario/harness';
import { hybridWorker, syncedUser, world } from '../scenario/smallWorld';
import type { AzuriteInstance } from '../support/azurite';
import { call, type HttpCall } from './httpCall';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 400);
const KNOWN_IDS = ['F-1', 'F-2', "F'3", 'f-1'];

function generator(seed: number) {
  const random = seededRandom(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const char = (): string =>
    pick([
      () => String.fromCharCode(0x20 + int(0x5f)),
      () => String.fromCharCode(int(0x20)),
      () => String.fromCharCode(0xd800 + int(0x800)),
      () => pick(['\u200b', '\u200d', '\u200f', '\u202e', '\ufeff', '\u2028', '\ufffd', '\u00a0']),
      () => String.fromCodePoint(0xa0 + int(0x2ff60)),
      () => pick(["'", '"', '%', '/', '\\', '?', '#', '&', '=', '+', '*', '(', ')', ',', '$']),
    ])();
  const text = (max: number) => Array.from({ length: int(max + 1) }, char).join('');
  const workerId = (): string =>
    pick([
      () => pick(KNOWN_IDS),
      () => pick(KNOWN_IDS),
      () => `${pick(KNOWN_IDS)}${pick(['', ' ', '  ', '\t'])}`,
      () => text(20),
      () => text(4),
      () =>
        pick([
          '',
          ' ',
          '%00',
          '..',
          '../x',
          "'",
          "''",
          "' or 1 eq 1 or '",
          'null',
          'undefined',
          '__proto__',
          'constructor',
        ]),
      () => 'x'.repeat(pick([16, 17, 1000, 70_000])),
    ])();
  const queryPart = (): string =>
    pick([
      () =>
        `dryRun=${pick(['true', 'false', 'TRUE', '1', '', 'yes', encodeURIComponent(text(3).replace(/[\ud800-\udfff]/g, ''))])}`,
      () => `code=${int(1e6)}`,
      () => pick(['dryrun=true', 'DryRun=true', 'force=1', 'x', '=', '&', '%ZZ', '%', 'dryRun', '$filter=1']),
      () => `${encodeURIComponent(text(5).replace(/[\ud800-\udfff]/g, ''))}=${int(10)}`,
    ])();
  const query = (): string => {
    if (random() < 0.4) return pick(['', '?', '?dryRun=true', '?dryRun=false', '?code=k']);
    const parts = Array.from({ length: int(4) }, queryPart);
    return parts.length === 0 ? pick(['', '?']) : `?${parts.join('&')}`;
  };
  const body = (): string | undefined =>
    pick([
      undefined,
      undefined,
      undefined,
      undefined,
      '',
      '{}',
      ' {} ',
      '{"dryRun":true}',
      'null',
      '[]',
      text(50),
      '{'.repeat(5000),
      'x'.repeat(200_000),
    ]);
  return (): HttpCall => {
    const route = pick(['resync', 'status'] as const);
    // Mostly the route's own method, so most requests get past the method check.
    const own = route === 'resync' ? 'POST' : 'GET';
    const method =
      random() < 0.7 ? own : pick(['POST', 'GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'post', 'get', 'BREW']);
    const hasBody = !['GET', 'HEAD', 'get'].includes(method);
    const b = hasBody ? body() : undefined;
    return { route, method, workerId: workerId(), query: query(), ...(b === undefined ? {} : { body: b }) };
  };
}

let azurite: AzuriteInstance;
let s: Scenario;

beforeAll(async () => {
  azurite = await startAzurite();
  const workers = [
    hybridWorker('F-1'),
    hybridWorker('F-2', { email: "mary.o'connor@example.net" }),
    hybridWorker("F'3"),
  ];
  s = await startScenario(azurite, {
    world: world(workers, [syncedUser('F-1'), syncedUser('F-2'), syncedUser("F'3")]),
  });
  useServices(s.services);
});
afterAll(async () => {
  useServices(undefined);
  await s?.close();
  await azurite?.stop();
});

describe(`HTTP fuzzer (seed ${SEED}, ${REQUESTS} requests)`, () => {
  it('answers every request with a 2xx or a 4xx with a reason, never a 5xx, and writes nothing it refused', async () => {
    const next = generator(SEED);
    const statuses = new Map<number, number>();
    for (let i = 0; i < REQUESTS; i++) {
      const request = next();
      const before = patches(s.graph).length;
      const response = await call(request);
      const status = response.status ?? 200;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      const shown = `request ${i}: ${JSON.stringify({ ...request, workerId: request.workerId.slice(0, 40), body: request.body?.slice(0, 40) })} → ${status} ${JSON.stringify(response.jsonBody).slice(0, 300)}`;
      expect(status >= 200 && status < 500, shown).toBe(true);
      if (status >= 400) {
        // The reason: a message, or for a resync the worker's outcome and its reason.
        const body = response.jsonBody as { message?: unknown; outcome?: { reason?: unknown } };
        expect(typeof body.message === 'string' || typeof body.outcome?.reason === 'string', shown).toBe(true);
        expect(patches(s.graph).length - before, shown).toBe(0);
      }
      expect(JSON.stringify(response.jsonBody ?? null), shown).not.toContain("o'connor");
    }
    console.log(`fuzz seed ${SEED}: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    // The run must have reached the pipeline as well as the refusals, or it proves little.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(REQUESTS / 50);
    expect(statuses.get(404) ?? 0).toBeGreaterThan(REQUESTS / 50);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(REQUESTS / 4);
    expect(statuses.get(405) ?? 0).toBeGreaterThan(REQUESTS / 50);
  }, 180_000);
});
