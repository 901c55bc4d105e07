/**
 * Jobs for one worker run one after the other within a process: a message delivered twice while
 * the first copy is still in flight must see the first copy's write, not race it to a second PATCH.
 */
const tails = new Map<string, Promise<unknown>>();

export async function oneAtATimePerWorker<T>(workerId: string, work: () => Promise<T>): Promise<T> {
  const key = workerId.toLowerCase();
  const previous = tails.get(key) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(work);
  tails.set(key, run);
  try {
    return await run;
  } finally {
    if (tails.get(key) === run) tails.delete(key);
  }
}
