/**
 * Graph support asks for `request-id` and `client-request-id` on every refused, throttled or
 * failed request (learn.microsoft.com/graph/errors): one client-request-id is sent per request and
 * per `$batch` sub-request, and both ids reach the error, the outcome's detail and the log.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '../../sim/graph/index';
import { workerOutcomeRecords } from '../../src/telemetry/telemetryRecords';
import { directoryFor, seed } from './directoryHarness';

/** Records each outgoing request's client-request-id (and the sub-requests' inside a `$batch`). */
function recordingFetch(sent: string[], answer?: (url: string) => Response | undefined): typeof fetch {
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    sent.push(headers.get('client-request-id') ?? '');
    if (String(input).endsWith('/$batch')) {
      const body = JSON.parse(String(init?.body)) as { requests: Array<{ headers?: Record<string, string> }> };
      for (const request of body.requests) sent.push(request.headers?.['client-request-id'] ?? '');
    }
    return answer?.(String(input)) ?? fetch(input, init);
  };
}

const refusal = (status: number, code: string) =>
  new Response(JSON.stringify({ error: { code, message: 'Insufficient privileges for jane.doe@example.com.' } }), {
    status,
    headers: { 'Content-Type': 'application/json', 'request-id': 'graph-req-42', 'retry-after': '0' },
  });

describe('GraphDirectory: request ids', () => {
  let sim: GraphSimulator;
  beforeEach(async () => {
    sim = await startGraphSimulator();
  });
  afterEach(() => sim.close());

  it('sends a distinct client-request-id with every request and every $batch sub-request', async () => {
    const sent: string[] = [];
    const users = ['1', '2', '3'].map((id) => sim.addUser(seed(`70007${id}`)));
    const { directory } = directoryFor(sim, { fetchImpl: recordingFetch(sent) });
    await directory.updateUser(users[0]!.id, { otherMails: ['a@example.org'] });
    await Promise.all(users.map((user) => directory.updateUser(user.id, { otherMails: ['b@example.org'] })));
    expect(sent.length).toBeGreaterThanOrEqual(4);
    for (const id of sent) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(sent).size).toBe(sent.length);
    await directory.close();
  });

  it('names both ids in a denied write, masked, and in its telemetry', async () => {
    const sent: string[] = [];
    const user = sim.addUser(seed('700081'));
    const { directory } = directoryFor(sim, {
      fetchImpl: recordingFetch(sent, (url) =>
        url.includes('/users/') ? refusal(400, 'Request_BadRequest') : undefined,
      ),
    });
    const result = await directory.updateUser(user.id, { otherMails: ['a@example.org'] });
    expect(result).toMatchObject({ status: 'invalid', code: 'Request_BadRequest' });
    const message = (result as { message: string }).message;
    expect(message).toContain('request-id graph-req-42');
    expect(message).toContain(`client-request-id ${sent[0]}`);
    expect(message).not.toContain('jane.doe@');
    const [event] = workerOutcomeRecords(
      { code: 'rejected', workerId: '700081', reason: 'graphRefusedValue', detail: message },
      { runId: 'r', durationMs: 1, graphRequests: 1 },
    );
    expect(event).toMatchObject({ properties: { detail: expect.stringContaining('graph-req-42') } });
    await directory.close();
  });

  it('names both ids when Graph stays unavailable, and in the throttling log', async () => {
    const sent: string[] = [];
    const { directory, logs } = directoryFor(sim, {
      fetchImpl: recordingFetch(sent, () => refusal(429, 'TooManyRequests')),
    });
    const failure = await directory.findUsersByEmployeeId('700091').catch((err: Error) => err);
    expect(failure).toMatchObject({ code: 'GRAPH.UNAVAILABLE' });
    expect((failure as Error).message).toContain('request-id graph-req-42');
    expect((failure as Error).message).toContain(`client-request-id ${sent.at(-1)}`);
    const throttled = logs.find((log) => log.message.includes('throttled'));
    expect(throttled?.properties).toMatchObject({ requestId: 'graph-req-42', clientRequestId: sent[0] });
    await directory.close();
  });
});
