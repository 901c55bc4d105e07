/**
 * Every Graph request shape the adapter can send, checked against Microsoft Graph's published v1.0
 * metadata (the facts kept in graphV1User.json, whose `source` names the file and commit): paths
 * resolve through the entity sets, singletons, navigation properties and casts the metadata
 * declares; `$select`, `$filter` and PATCH/POST bodies name properties the resolved type has (a
 * directory extension attribute aside, which no metadata lists); `$filter` uses operators the
 * property supports; `$batch` follows the JSON batching rules. The requests are the ones the real
 * GraphDirectory sends to the simulator, recorded at the fetch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphSimulator, startGraphSimulator } from '../../sim/graph/index';
import { isExtensionAttribute } from '../../src/core/mappingTargets';
import { directoryFor, seed } from '../graph/directoryHarness';
import graph from './graphV1User.json';

interface Sent {
  method: string;
  /** Relative to the version segment, query included. */
  url: string;
  body: unknown;
  headers: Record<string, string>;
}
interface TypeFacts {
  baseTypes?: string[];
  properties?: Record<string, string>;
  navigationProperties?: Record<string, string>;
}

const TYPES = graph.types as Record<string, TypeFacts>;
const FILTERABLE = graph.filterable as Record<string, Record<string, string[]>>;
const EXT = `extension_${'b'.repeat(32)}_costCenter`;

/** What a path addresses: one entity or a collection, of a type. */
type Target = { type: string; collection: boolean };

function resolvePath(path: string): Target | string {
  const [first, ...rest] = path.split('/').filter(Boolean).map(decodeURIComponent);
  let target: Target;
  const sets = graph.entitySets as Record<string, string>;
  const singletons = graph.singletons as Record<string, string>;
  if (first! in sets) target = { type: sets[first!]!, collection: true };
  else if (first! in singletons) target = { type: singletons[first!]!, collection: false };
  else return `no entity set or singleton '${first}'`;
  for (const segment of rest) {
    if (target.collection) {
      if (segment.startsWith('microsoft.graph.')) {
        const cast = segment.slice('microsoft.graph.'.length);
        const facts = TYPES[cast];
        if (!facts || (!(facts.baseTypes ?? []).includes(target.type) && cast !== target.type))
          return `'${cast}' is not a type derived from ${target.type}`;
        target = { type: cast, collection: true };
      } else target = { type: target.type, collection: false };
      continue;
    }
    const navigation = TYPES[target.type]?.navigationProperties?.[segment];
    if (!navigation) return `${target.type} has no navigation property '${segment}'`;
    const match = /^(Collection\()?graph\.(\w+)\)?$/.exec(navigation)!;
    target = { type: match[2]!, collection: match[1] !== undefined };
  }
  return target;
}

function hasProperty(type: string, name: string): boolean {
  return (type === 'user' && isExtensionAttribute(name)) || name in (TYPES[type]?.properties ?? {});
}

function valueFits(edmType: string, value: unknown): boolean {
  if (edmType === 'Collection(Edm.String)') return Array.isArray(value) && value.every((v) => typeof v === 'string');
  if (edmType === 'Edm.String') return value === null || typeof value === 'string';
  return false;
}

/** Every way this request departs from the published description. */
function violations(request: Sent): string[] {
  const [path, query = ''] = request.url.split('?');
  if (path === '/$batch') return batchViolations(request);
  const target = resolvePath(path!);
  if (typeof target === 'string') return [`${request.method} ${path}: ${target}`];
  const problems: string[] = [];
  const params = new URLSearchParams(query);
  for (const name of (params.get('$select') ?? '').split(',').filter(Boolean))
    if (!hasProperty(target.type, name)) problems.push(`$select names '${name}', which ${target.type} lacks`);
  const filter = params.get('$filter');
  if (filter !== null) {
    for (const [, property, operator] of filter.matchAll(/(\w+) (eq|ne|in|ge|le)\b/g)) {
      if (!hasProperty(target.type, property!))
        problems.push(`$filter names '${property}', which ${target.type} lacks`);
      else if (!FILTERABLE[target.type]?.[property!]?.includes(operator!))
        problems.push(`$filter uses '${operator}' on '${property}', which the reference does not list`);
    }
  }
  if (request.method !== 'GET') {
    if (request.method === 'POST' && !target.collection) problems.push(`POST to a single ${target.type}`);
    if (request.method === 'PATCH' && target.collection) problems.push(`PATCH to a collection of ${target.type}`);
    for (const [name, value] of Object.entries(request.body as Record<string, unknown>)) {
      const edmType = TYPES[target.type]?.properties?.[name];
      if (!hasProperty(target.type, name)) problems.push(`body names '${name}', which ${target.type} lacks`);
      else if (edmType && !valueFits(edmType, value)) problems.push(`body '${name}' is not ${edmType}`);
    }
  }
  return problems;
}

function batchViolations(request: Sent): string[] {
  const { requests } = request.body as { requests: Array<Sent & { id: string }> };
  const problems: string[] = [];
  if (requests.length > graph.batch.maxRequests) problems.push(`${requests.length} requests in one $batch`);
  if (new Set(requests.map((r) => r.id)).size !== requests.length) problems.push('$batch ids repeat');
  for (const sub of requests) {
    if (!sub.url.startsWith('/') || sub.url.startsWith('/v1.0'))
      problems.push(`$batch url '${sub.url}' is not relative`);
    const contentType = Object.entries(sub.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type');
    if (sub.body !== undefined && !contentType)
      problems.push(`$batch request ${sub.id} has a body without Content-Type`);
    problems.push(...violations(sub));
  }
  return problems;
}

describe('Graph requests against the v1.0 metadata', () => {
  let sim: GraphSimulator;
  const sent: Sent[] = [];

  beforeAll(async () => {
    sim = await startGraphSimulator();
    const recording: typeof fetch = async (input, init) => {
      const url = new URL(String(input));
      const body = typeof init?.body === 'string' && init.body ? (JSON.parse(init.body) as unknown) : undefined;
      sent.push({
        method: init?.method ?? 'GET',
        url: `${url.pathname.replace(/^\/v1\.0/, '')}${url.search}`,
        body,
        headers: Object.fromEntries(new Headers(init?.headers).entries()),
      });
      return fetch(input, init);
    };
    const users = ['1', '2', '3'].map((n) => sim.addUser(seed(`80008${n}`)));
    const gone = sim.addUser(seed('800090'));
    sim.softDeleteUser(gone.id);
    const { directory } = directoryFor(sim, { fetchImpl: recording, extensionProperties: [EXT] });
    // Every request shape the Directory port can produce.
    await directory.findUsersByEmployeeId('800081');
    await directory.findUsersByEmployeeIds(Array.from({ length: 40 }, (_, i) => `80008${i}`));
    await directory.findDeletedUsersByEmployeeId('800090');
    await directory.updateUser(users[0]!.id, { otherMails: ['p@example.org'], usageLocation: 'GB', [EXT]: 'CC1' });
    await directory.updateUser(users[1]!.id, { usageLocation: null });
    await Promise.all(users.map((user) => directory.updateUser(user.id, { otherMails: [] })));
    await directory.setAuthenticationEmail(users[0]!.id, null, 'p@example.org');
    const method = await directory.getAuthenticationEmail(users[0]!.id);
    await directory.setAuthenticationEmail(users[0]!.id, method!.id, 'q@example.org');
    await directory.close();
  });
  afterAll(() => sim.close());

  it('sent every kind of request, plain and in $batch', () => {
    const paths = sent.map((request) => `${request.method} ${request.url.split('?')[0]}`);
    expect(paths).toEqual(
      expect.arrayContaining(['POST /$batch', 'GET /users', 'GET /directory/deletedItems/microsoft.graph.user']),
    );
    expect(paths.some((p) => /^PATCH \/users\/[^/]+$/.test(p))).toBe(true);
    expect(paths.some((p) => /^POST \/users\/[^/]+\/authentication\/emailMethods$/.test(p))).toBe(true);
    expect(paths.some((p) => /^PATCH \/users\/[^/]+\/authentication\/emailMethods\/[^/]+$/.test(p))).toBe(true);
  });

  it('names only paths, properties, filters and bodies the published description has', () => {
    expect(sent.flatMap(violations)).toEqual([]);
  });

  it('fails a request that names a property, path or operator the description lacks', () => {
    expect(violations({ method: 'GET', url: '/users?$select=id,employeeID2', body: undefined, headers: {} })).toEqual([
      "$select names 'employeeID2', which user lacks",
    ]);
    expect(violations({ method: 'PATCH', url: '/users/u1', body: { personalEmail: 'x' }, headers: {} })).toEqual([
      "body names 'personalEmail', which user lacks",
    ]);
    expect(violations({ method: 'PATCH', url: '/users/u1', body: { otherMails: 'x' }, headers: {} })).toEqual([
      "body 'otherMails' is not Collection(Edm.String)",
    ]);
    expect(
      violations({ method: 'GET', url: '/users/u1/authentication/emailMethod', body: undefined, headers: {} }),
    ).toEqual(["GET /users/u1/authentication/emailMethod: authentication has no navigation property 'emailMethod'"]);
    expect(
      violations({
        method: 'GET',
        url: `/users?$filter=${encodeURIComponent("usageLocation eq 'GB'")}`,
        body: undefined,
        headers: {},
      }),
    ).toEqual(["$filter uses 'eq' on 'usageLocation', which the reference does not list"]);
  });
});
