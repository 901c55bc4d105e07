/**
 * One queue-function instance of the topology bench (topology.ts), in an OS process of its own:
 * the services built by the composition root from the environment, as the Functions host builds
 * them, draining the shared Azure queue (on Azurite) the way the host runs `enrichWorker`, with
 * the host's concurrency. It writes through the deployment's shared write budget like every
 * other writer. When the queue is empty it prints one JSON line: jobs run, and the storage
 * operations its share of the write budget cost.
 */
import { drainQueue } from '../src/app/drainQueue';
import { createMemoryLogger } from '../src/app/logger';
import { buildServices } from '../src/app/services';
import { loadSettings } from '../src/config/settings';

async function main(): Promise<void> {
  const concurrency = Number(process.env.BENCH_INSTANCE_CONCURRENCY ?? 16);
  const services = buildServices(loadSettings(process.env), { logger: createMemoryLogger('warn') });
  let jobs = 0;
  try {
    await drainQueue(services, services.consumer, { concurrency, onOutcome: () => (jobs += 1) });
  } finally {
    await services.close();
  }
  process.stdout.write(`${JSON.stringify({ jobs, operations: services.writeBudget.operations() })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
