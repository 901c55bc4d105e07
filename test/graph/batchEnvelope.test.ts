/** The `$batch` envelope: each sub-request gets its own answer back, whatever order Graph answers in. */
import { describe, expect, it } from 'vitest';
import { fromBatch, toBatch } from '../../src/graph/batchEnvelope';
import type { GraphRequest, GraphResponse } from '../../src/graph/graphResponse';

const requests: GraphRequest[] = [
  { method: 'GET', url: '/users?$select=id' },
  { method: 'PATCH', url: '/users/u1', body: { usageLocation: 'FR' }, guard: async () => true, gathered: true },
];

describe('toBatch', () => {
  it('sends each request with its own id and client-request-id, and no guard or marker', () => {
    const { request, sent } = toBatch(requests);
    expect(request).toMatchObject({ method: 'POST', url: '/$batch' });
    const body = request.body as { requests: Array<Record<string, unknown>> };
    expect(body.requests.map((each) => Object.keys(each).sort())).toEqual([
      ['headers', 'id', 'method', 'url'],
      ['body', 'headers', 'id', 'method', 'url'],
    ]);
    expect(new Set(sent.map((each) => each.headers['client-request-id'])).size).toBe(2);
  });
});

describe('fromBatch', () => {
  const { sent } = toBatch(requests);
  const outer = (status: number, body: unknown): GraphResponse => ({ status, headers: { 'request-id': 'r-1' }, body });

  it('hands each request its own answer when Graph answers out of order, with the ids support asks for', () => {
    const answers = fromBatch(
      outer(200, {
        responses: [
          { id: '2', status: 204, headers: {} },
          { id: '1', status: 429, headers: { 'Retry-After': '3' }, body: null },
        ],
      }),
      sent,
    );
    expect(answers).toEqual([
      {
        status: 429,
        headers: {
          'retry-after': '3',
          'request-id': 'r-1',
          'client-request-id': sent[0]!.headers['client-request-id'],
        },
        body: null,
      },
      {
        status: 204,
        headers: { 'request-id': 'r-1', 'client-request-id': sent[1]!.headers['client-request-id'] },
        body: null,
      },
    ]);
  });

  it('gives every request the outer answer when the whole batch is throttled', () => {
    const throttled = outer(429, { error: { code: 'TooManyRequests' } });
    expect(fromBatch(throttled, sent)).toEqual([throttled, throttled]);
  });

  it('refuses the whole batch once, for everyone inside, when a 403 carries no sub-responses', () => {
    expect(() => fromBatch(outer(403, { error: { code: 'Authorization_RequestDenied' } }), sent)).toThrow(
      expect.objectContaining({ code: 'GRAPH.REQUEST_REFUSED', status: 403 }),
    );
  });

  it('never takes a 2xx without sub-responses as a success: each request fails, transient', () => {
    for (const answer of fromBatch(outer(202, null), sent))
      expect(answer).toMatchObject({ code: 'GRAPH.BAD_RESPONSE', transient: true });
  });
});
