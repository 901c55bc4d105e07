import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/errors';
import type { WorkerJob } from '../../src/core/ports';
import { decodeJobMessage, encodeJobMessage, MAX_MESSAGE_BYTES, withRunId } from '../../src/state/jobMessage';

const job: WorkerJob = {
  workerId: "O'Brien/José",
  runId: 'cycle-1',
  fields: { personalEmail: 'jane@example.com', countryIso: null },
  desiredHash: 'abc',
  dryRun: true,
  operationId: 'op-1',
};

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    return isAppError(err) ? err.code : 'not an AppError';
  }
  return undefined;
}

describe('encodeJobMessage', () => {
  it('writes base64 of the job JSON, as the Functions queue trigger expects', () => {
    const text = encodeJobMessage(job);
    expect(text).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(Buffer.from(text, 'base64').toString('utf8'))).toEqual(job);
  });

  it('refuses a job larger than one queue message', () => {
    const huge = { ...job, fields: { note: 'x'.repeat(MAX_MESSAGE_BYTES) } };
    expect(codeOf(() => encodeJobMessage(huge))).toBe('INPUT.INVALID');
  });
});

describe('decodeJobMessage', () => {
  it('reads a base64 message', () => {
    expect(decodeJobMessage(encodeJobMessage(job))).toEqual(job);
  });

  it('reads plain JSON (messageEncoding "none")', () => {
    expect(decodeJobMessage(JSON.stringify(job))).toEqual(job);
  });

  it('reads a message the release before enqueued, which names its run cycleId', () => {
    const { runId, ...rest } = job;
    const before = Buffer.from(JSON.stringify({ ...rest, cycleId: 'sweep-20260301T000000Z-1' }), 'utf8').toString(
      'base64',
    );
    expect(decodeJobMessage(before)).toEqual({ ...job, runId: 'sweep-20260301T000000Z-1' });
  });

  it('takes runId over cycleId when a message carries both', () => {
    expect(decodeJobMessage(JSON.stringify({ ...job, cycleId: 'old' })).runId).toBe('cycle-1');
  });

  it('leaves optional properties out when absent', () => {
    const minimal = { workerId: 'W1', runId: 'c', fields: {}, desiredHash: 'h' };
    expect(decodeJobMessage(JSON.stringify(minimal))).toStrictEqual(minimal);
  });

  it.each([
    ['text that is neither base64 nor JSON', 'hello world!'],
    ['base64 of something that is not JSON', Buffer.from('not json').toString('base64')],
    ['broken JSON', '{"workerId":'],
    ['JSON of another shape', JSON.stringify({ workerId: 'W1' })],
    ['a field of the wrong type', JSON.stringify({ ...job, fields: { countryIso: 7 } })],
    ['an empty worker id', JSON.stringify({ ...job, workerId: '' })],
    ['an empty message', ''],
  ])('refuses %s with INPUT.INVALID', (_, text) => {
    expect(codeOf(() => decodeJobMessage(text))).toBe('INPUT.INVALID');
  });
});

describe('withRunId', () => {
  it('reads the job an escrow or plan row kept from the release before (cycleId) as runId', () => {
    expect(withRunId({ workerId: 'W1', cycleId: 'resync-1' })).toEqual({ workerId: 'W1', runId: 'resync-1' });
  });

  it('leaves a current job, and a missing one, as they are', () => {
    expect(withRunId(job)).toBe(job);
    expect(withRunId(null)).toBeNull();
  });
});
