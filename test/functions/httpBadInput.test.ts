/**
 * The bad-input table for the HTTP functions (issue 10): one row per request, each with its
 * status and the reason the answer must give. A refused request writes nothing, and a worker id
 * that validation refuses never reaches Workday or Graph.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type HttpCall } from './httpCall';
import { useServices } from '../../src/functions/hostServices';
import { patches, startAzurite, startScenario, type Scenario } from '../scenario/harness';
import { hybridWorker, syncedUser, world } from '../scenario/smallWorld';
import type { AzuriteInstance } from '../support/azurite';

interface Row extends HttpCall {
  name: string;
  status: number;
  /** What the answer's message (4xx) or outcome (2xx) must say. */
  says: RegExp;
  /** Whether Graph receives a PATCH. */
  writes?: boolean;
}

const ID_17 = '12345678901234567';
const ROWS: Row[] = [
  { name: 'resync: empty id', route: 'resync', workerId: '', status: 400, says: /empty/ },
  { name: 'resync: blank id', route: 'resync', workerId: '   ', status: 400, says: /empty/ },
  { name: 'resync: id over 16 characters', route: 'resync', workerId: ID_17, status: 400, says: /16 characters/ },
  {
    name: 'resync: huge id (100,000 characters)',
    route: 'resync',
    workerId: '9'.repeat(100_000),
    status: 400,
    says: /16 characters/,
  },
  { name: 'resync: lone high surrogate', route: 'resync', workerId: '7001\ud800', status: 400, says: /surrogate/ },
  { name: 'resync: lone low surrogate', route: 'resync', workerId: '\udc007001', status: 400, says: /surrogate/ },
  { name: 'resync: replacement character', route: 'resync', workerId: '70\ufffd01', status: 400, says: /replacement/ },
  { name: 'resync: zero-width space', route: 'resync', workerId: '70\u200b01', status: 400, says: /invisible/ },
  { name: 'resync: right-to-left override', route: 'resync', workerId: '\u202e7001', status: 400, says: /invisible/ },
  { name: 'resync: control character', route: 'resync', workerId: '70\u000701', status: 400, says: /control/ },
  { name: 'resync: NUL', route: 'resync', workerId: '7001\u0000', status: 400, says: /control/ },
  {
    name: 'resync: dryRun not true or false',
    route: 'resync',
    workerId: '7001',
    query: '?dryRun=yes',
    status: 400,
    says: /dryRun must be/,
  },
  {
    name: 'resync: dryRun in upper case',
    route: 'resync',
    workerId: '7001',
    query: '?dryRun=TRUE',
    status: 400,
    says: /dryRun must be/,
  },
  {
    name: 'resync: dryRun given twice',
    route: 'resync',
    workerId: '7001',
    query: '?dryRun=false&dryRun=true',
    status: 400,
    says: /more than once/,
  },
  // Ignored, the misspelt flag would turn the operator's dry run into a write.
  {
    name: 'resync: misspelt dryrun',
    route: 'resync',
    workerId: '7001',
    query: '?dryrun=true',
    status: 400,
    says: /unknown query parameter .*dryrun.*takes dryRun/,
  },
  {
    name: 'resync: unknown parameter',
    route: 'resync',
    workerId: '7001',
    query: '?force=1',
    status: 400,
    says: /unknown query parameter .*force/,
  },
  {
    name: 'resync: dry run asked for in a body',
    route: 'resync',
    workerId: '7001',
    body: '{"dryRun":true}',
    status: 400,
    says: /no body/,
  },
  {
    name: 'resync: a body of garbage',
    route: 'resync',
    workerId: '7001',
    body: '\u0000\u00ff<html>',
    status: 400,
    says: /no body/,
  },
  {
    name: 'resync: a 5 MB body, refused unread',
    route: 'resync',
    workerId: '7001',
    body: '{'.padEnd(5_000_000, ' '),
    status: 400,
    says: /no body/,
  },
  {
    name: 'resync: a body of blanks around {}',
    route: 'resync',
    workerId: '7002',
    query: '?dryRun=true',
    body: '  {}\n',
    status: 200,
    says: /"code":"escrowed"/,
  },
  {
    name: 'resync: GET instead of POST',
    route: 'resync',
    method: 'GET',
    workerId: '7001',
    status: 405,
    says: /POST only/,
  },
  { name: 'resync: DELETE', route: 'resync', method: 'DELETE', workerId: '7001', status: 405, says: /POST only/ },
  {
    name: 'resync: an apostrophe, unknown to Workday',
    route: 'resync',
    workerId: "O'Nobody",
    status: 404,
    says: /notInWorkday/,
  },
  { name: 'resync: an id Workday does not have', route: 'resync', workerId: '9999', status: 404, says: /notInWorkday/ },
  {
    name: 'resync: dry run with the function key in the query',
    route: 'resync',
    workerId: '7001',
    query: '?dryRun=true&code=abc',
    status: 200,
    says: /"code":"written"/,
  },
  {
    name: 'resync: an empty JSON body, as portals send',
    route: 'resync',
    workerId: '7002',
    query: '?dryRun=true',
    body: '{}',
    status: 200,
    says: /"code":"escrowed"/,
  },
  {
    name: 'resync: id with trailing spaces, trimmed, written',
    route: 'resync',
    workerId: '7001  ',
    status: 200,
    says: /"code":"written"/,
    writes: true,
  },
  {
    name: 'resync: a worker with an apostrophe email, masked',
    route: 'resync',
    workerId: '7003',
    query: '?dryRun=true',
    status: 200,
    says: /"after":\["m\*\*\*@example.net"\]/,
  },
  { name: 'status: lone surrogate', route: 'status', workerId: '\ud8007001', status: 400, says: /surrogate/ },
  { name: 'status: zero-width joiner', route: 'status', workerId: '70\u200d01', status: 400, says: /invisible/ },
  { name: 'status: huge id', route: 'status', workerId: 'x'.repeat(100_000), status: 400, says: /16 characters/ },
  { name: 'status: empty id', route: 'status', workerId: '', status: 400, says: /empty/ },
  {
    name: 'status: POST instead of GET',
    route: 'status',
    method: 'POST',
    workerId: '7001',
    status: 405,
    says: /GET only/,
  },
  {
    name: 'status: a query parameter it does not take',
    route: 'status',
    workerId: '7001',
    query: '?dryRun=true',
    status: 400,
    says: /unknown query parameter/,
  },
  { name: 'status: HEAD', route: 'status', method: 'HEAD', workerId: '7001', status: 405, says: /GET only/ },
  {
    name: 'status: a query parameter given twice, with a key',
    route: 'status',
    workerId: '7001',
    query: '?code=a&code=b&x',
    status: 400,
    says: /unknown query parameter .*x/,
  },
  { name: 'status: an unknown worker', route: 'status', workerId: "O'Nobody", status: 404, says: /"known":false/ },
];

let azurite: AzuriteInstance;
let s: Scenario;

beforeAll(async () => {
  azurite = await startAzurite();
  const workers = [
    hybridWorker('7001'),
    hybridWorker('7002'),
    hybridWorker('7003', { email: "mary.o'connor@example.net" }),
  ];
  s = await startScenario(azurite, { world: world(workers, [syncedUser('7001'), syncedUser('7003')]) });
  useServices(s.services);
});
afterAll(async () => {
  useServices(undefined);
  await s?.close();
  await azurite?.stop();
});

describe('HTTP bad input', () => {
  it.each(ROWS.map((row) => [`${row.name} → ${row.status}`, row] as const))('%s', async (_, row) => {
    const before = patches(s.graph).length;
    const graphBefore = s.graph.requests.length;
    const workdayBefore = s.workday.tenant.requests.length;
    const response = await call(row);
    expect(response.status).toBe(row.status);
    const body = JSON.stringify(response.jsonBody);
    expect(body).toMatch(row.says);
    expect(patches(s.graph).length - before).toBe(row.writes ? 1 : 0);
    if (response.status === 400 || response.status === 405) {
      expect(response.jsonBody).toMatchObject({ error: 'INPUT.INVALID', message: expect.any(String) });
      // Refused before any use case: neither Workday nor Graph heard of it.
      expect(s.graph.requests.length).toBe(graphBefore);
      expect(s.workday.tenant.requests.length).toBe(workdayBefore);
    }
    expect(body).not.toContain("o'connor");
  });
});
