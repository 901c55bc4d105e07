/**
 * One WorkerJob per queue message, as base64 of its JSON: the Functions queue trigger decodes
 * base64 by default (host.json `extensions.queues.messageEncoding: "base64"`), so the messages
 * the CLI enqueues are the same ones the enrichWorker function reads.
 */
import { z } from 'zod';
import { AppError } from '../core/errors';
import type { WorkerJob } from '../core/ports';
import { defined } from './entityValues';

/** A queue message holds at most 64 KiB; base64 text is ASCII, so characters are bytes. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const workerJobSchema = z.object({
  workerId: z.string().min(1),
  runId: z.string().min(1),
  fields: z.record(z.string(), z.string().nullable()),
  desiredHash: z.string(),
  version: z.number().int().nonnegative().optional(),
  dryRun: z.boolean().optional(),
  operationId: z.string().optional(),
});

export function encodeJobMessage(job: WorkerJob): string {
  const text = Buffer.from(JSON.stringify(job), 'utf8').toString('base64');
  if (text.length > MAX_MESSAGE_BYTES) {
    throw new AppError(
      'INPUT.INVALID',
      `The job of worker ${job.workerId} is ${text.length} bytes encoded; a queue message holds at most ${MAX_MESSAGE_BYTES}`,
    );
  }
  return text;
}

/** Reads a message as the trigger hands it over: base64 JSON, or plain JSON (messageEncoding "none"). */
export function decodeJobMessage(text: string): WorkerJob {
  const parsed = workerJobSchema.safeParse(withRunId(parseJson(jsonTextOf(text.trim()))));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(message)'} ${issue.message}`);
    throw new AppError('INPUT.INVALID', `The queue message is not a worker job: ${problems.join('; ')}`);
  }
  // A job holds only the fields its message had.
  return defined(parsed.data);
}

/**
 * A job written by the release before this one names its run `cycleId` (a queue message, or the
 * job an escrow or plan row keeps), though sweeps and resyncs plan jobs too: it is read as `runId`.
 * Kept for one release, so messages and rows already stored when it is deployed still run.
 */
export function withRunId<T>(job: T): T {
  if (typeof job !== 'object' || job === null || 'runId' in job || !('cycleId' in job)) return job;
  const { cycleId, ...rest } = job as Record<string, unknown>;
  return { ...rest, runId: cycleId } as T;
}

function jsonTextOf(text: string): string {
  if (text.startsWith('{')) return text;
  if (text === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    throw new AppError('INPUT.INVALID', 'The queue message is neither base64 nor JSON');
  }
  return Buffer.from(text, 'base64').toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('INPUT.INVALID', 'The queue message does not hold JSON');
  }
}
