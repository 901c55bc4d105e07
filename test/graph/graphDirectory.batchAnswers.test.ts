/**
 * An outer `$batch` answer that is neither 2xx nor 429/503/504: read per sub-response when it
 * carries them (Graph's JSON batching guidance once described a 424 holding the 429s), and one
 * failure for the whole batch when it carries none — never per-user outcomes from an outer failure.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../sim/graph/index';
import { directoryFor, seed } from './directoryHarness';

/** Sends to the simulator, then hands back every `$batch` answer with `status` and, if told, no body. */
function rewriteBatches(status: number, keepBody: boolean): typeof fetch {
  return async (input, init) => {
    const answer = await fetch(input, init);
    if (!String(input).endsWith('/$batch')) return answer;
    const body = keepBody ? await answer.text() : JSON.stringify({ error: { code: 'Failed', message: 'x' } });
    return new Response(body, { status, headers: { 'Content-Type': 'application/json' } });
  };
}

describe('GraphDirectory: an outer $batch failure', () => {
  let sim: GraphSimulator;
  beforeEach(async () => {
    sim = await startGraphSimulator();
  });
  afterEach(() => sim.close());

  it('reads a 424 that carries sub-responses per sub-response: each write lands and says so', async () => {
    const users = ['1', '2', '3'].map((id) => sim.addUser(seed(`60006${id}`)));
    const { directory } = directoryFor(sim, { fetchImpl: rewriteBatches(424, true) });
    const results = await Promise.all(
      users.map((user) => directory.updateUser(user.id, { otherMails: ['p@example.org'] })),
    );
    expect(results).toEqual(users.map(() => ({ status: 'ok' })));
    expect(sim.requests.some((request) => request.inBatch)).toBe(true);
    await directory.close();
  });

  it('fails the whole batch, for every worker inside, when a 424 carries no sub-responses', async () => {
    const users = ['1', '2', '3'].map((id) => sim.addUser(seed(`60007${id}`)));
    const { directory } = directoryFor(sim, { fetchImpl: rewriteBatches(424, false) });
    const results = await Promise.allSettled(
      users.map((user) => directory.updateUser(user.id, { otherMails: ['p@example.org'] })),
    );
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'GRAPH.REQUEST_REFUSED', status: 424 });
    }
    await directory.close();
  });

  it('takes a 2xx $batch answer without sub-responses as no answer: no write is reported as landed', async () => {
    const users = ['1', '2', '3'].map((id) => sim.addUser(seed(`60008${id}`)));
    const { directory } = directoryFor(sim, {
      fetchImpl: rewriteBatches(202, false),
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const results = await Promise.allSettled(
      users.map((user) => directory.updateUser(user.id, { otherMails: ['p@example.org'] })),
    );
    expect(sim.requests.some((request) => request.inBatch)).toBe(true);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'GRAPH.UNAVAILABLE', transient: true });
    }
    await directory.close();
  });
});
