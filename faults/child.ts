/**
 * The pipeline under test, as its own process so that it can be killed for real: builds the
 * services from settings (which point at the fault proxies) and runs one cycle or one sweep with
 * the queue drained here, as the CLI does; or, with `plan`, a cycle that leaves its jobs on the
 * queue for the Functions handler (the timer's cycle). Prints one JSON line; exits as the CLI
 * would. With `cli`, it is the operator's `attribute-writer cycle --json` itself.
 *
 * Two modes are Functions instances, each a process with its own state (services, pacer, worker
 * lock), as a scaled-out app has:
 * - `queue-host`: the queue function's handler (`onEnrichWorker`) and the poison function's, driven
 *   as the host drives them (faults/functionsHost.ts), some messages handed to two invocations at
 *   once; it keeps receiving until told to stop (SIGTERM) and both queues are empty.
 * - `resync <id,id,…>`: the HTTP resync handler, one request per worker id, all at once.
 *
 * Usage: node dist/faults/child.js cycle|full-cycle|sweep|plan|cli|queue-host|resync [ids]
 */
import { HttpRequest, InvocationContext } from '@azure/functions';
import { JOB_QUEUE, loadSettings, POISON_QUEUE } from '../src/config/settings';
import { ensureAppError } from '../src/core/errors';
import { emptyCounts, isOutcomeCode, type Outcome } from '../src/core/outcome';
import { createLogger } from '../src/app/logger';
import { hostMaxDequeueCount } from '../src/app/jobRunner';
import { runCycle, runSweep, type RunSummary } from '../src/app/operations';
import { buildServices, type AppServices } from '../src/app/services';
import { exitCodeOf, runCli } from '../src/cli/main';
import { useServices } from '../src/functions/hostServices';
import { onEnrichWorkerPoison } from '../src/functions/onEnrichWorkerPoison';
import { onEnrichWorker } from '../src/functions/onEnrichWorker';
import { resyncRoute } from '../src/functions/resyncRoute';
import { seededRandom } from '../sim/world';
import { runQueueTrigger, type QueueHandler } from './functionsHost';

export interface ChildReport {
  mode: string;
  counts: RunSummary['counts'];
  enqueued: number;
  workersRead?: number;
  /** queue-host: invocations, of which handed to two at once, and messages moved to a poison queue. */
  invocations?: number;
  duplicated?: number;
  poisoned?: number;
  /** queue-host and resync: jobs or requests that a newer plan superseded (nothing written). */
  superseded?: number;
}

async function main(mode: string, args: string[]): Promise<number> {
  if (mode === 'cli') return runCli(['cycle', '--json']);
  // Installed first: the suite may ask a queue host to stop as soon as it runs.
  let stopping = false;
  process.once('SIGTERM', () => {
    stopping = true;
  });
  const logger = createLogger({ level: 'warn', sink: (line) => process.stderr.write(`${line}\n`) });
  let services: AppServices | undefined;
  try {
    services = buildServices(loadSettings(process.env), { logger });
    if (mode === 'queue-host') return print(await queueHost(services, () => stopping));
    if (mode === 'resync') return print(await resyncs(services, (args[0] ?? '').split(',').filter(Boolean)));
    // Released jobs come back after a second or a few, not the host's minutes: rounds stay short.
    const drainOptions = { retryDelaySeconds: (deliveries: number) => deliveries };
    const summary =
      mode === 'sweep'
        ? await runSweep(services, { drain: services.consumer, drainOptions })
        : await runCycle(
            services,
            mode === 'plan' ? {} : { drain: services.consumer, drainOptions, fullRead: mode === 'full-cycle' },
          );
    return print({
      mode,
      counts: summary.counts,
      enqueued: summary.enqueued,
      ...(summary.workersRead !== undefined ? { workersRead: summary.workersRead } : {}),
    });
  } catch (err) {
    const error = ensureAppError(err);
    process.stderr.write(`child ${mode}: ${error.message} [${error.code}]\n`);
    return exitCodeOf(error);
  } finally {
    useServices(undefined);
    await services?.close().catch(() => undefined);
  }
}

function print(report: ChildReport): number {
  process.stdout.write(`\n${JSON.stringify(report)}\n`);
  return 0;
}

/** One Functions instance's queue triggers, until it is told to stop and nothing is left to run. */
async function queueHost(services: AppServices, stopping: () => boolean): Promise<ChildReport> {
  useServices(services);
  // The suite holds our stdin open: if it dies, so does this instance, instead of polling on.
  process.stdin.once('end', () => process.exit(1));
  process.stdin.resume();
  const report: Required<Pick<ChildReport, 'invocations' | 'duplicated' | 'poisoned' | 'superseded'>> & ChildReport = {
    mode: 'queue-host',
    counts: emptyCounts(),
    enqueued: 0,
    invocations: 0,
    duplicated: 0,
    poisoned: 0,
    superseded: 0,
  };
  const counted =
    (handler: QueueHandler): QueueHandler =>
    async (message, context) => {
      const outcome = (await handler(message, context)) as Outcome | null;
      if (outcome && isOutcomeCode(outcome.code)) report.counts[outcome.code] += 1;
      else if (handler === onEnrichWorker) report.superseded += 1;
      return outcome;
    };
  const random = seededRandom(Number(process.env.FAULT_SEED ?? 1) ^ process.pid);
  const connectionString = process.env.AzureWebJobsStorage ?? '';
  const trigger = (queueName: string, handler: QueueHandler, duplicateRate: number) =>
    runQueueTrigger({
      connectionString,
      queueName,
      handler: counted(handler),
      maxDequeueCount: hostMaxDequeueCount(),
      duplicateRate,
      random,
      deadlineMs: 300_000,
    });
  for (;;) {
    const jobs = await trigger(JOB_QUEUE, onEnrichWorker, 0.2);
    const poison = await trigger(POISON_QUEUE, onEnrichWorkerPoison, 0);
    for (const run of [jobs, poison]) {
      report.invocations += run.invocations;
      report.duplicated += run.duplicated;
      report.poisoned += run.poisoned;
    }
    if (jobs.timedOut || poison.timedOut) throw new Error('a queue trigger ran past its deadline');
    if (stopping() && jobs.invocations === 0 && poison.invocations === 0) return report;
    if (jobs.invocations === 0) await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The HTTP resync function, one request per worker, as an operator pressing resync for each. */
async function resyncs(services: AppServices, workerIds: string[]): Promise<ChildReport> {
  useServices(services);
  const report: ChildReport & { superseded: number } = {
    mode: 'resync',
    counts: emptyCounts(),
    enqueued: 0,
    superseded: 0,
  };
  await Promise.all(
    workerIds.map(async (workerId, index) => {
      const request = new HttpRequest({
        method: 'POST',
        url: `http://localhost/api/workers/${encodeURIComponent(workerId)}/resync`,
        params: { workerId },
      });
      const context = new InvocationContext({ invocationId: `resync-${index}`, functionName: 'resyncWorker' });
      const response = await resyncRoute(request, context);
      const outcome = (response.jsonBody as { outcome?: Outcome } | undefined)?.outcome;
      if (response.status !== 200 || !outcome || !isOutcomeCode(outcome.code))
        throw new Error(`resync of ${workerId} answered ${response.status}: ${JSON.stringify(response.jsonBody)}`);
      report.counts[outcome.code] += 1;
      if (outcome.reason === 'newerPlan') report.superseded += 1;
    }),
  );
  return report;
}

main(process.argv[2] ?? 'cycle', process.argv.slice(3)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
