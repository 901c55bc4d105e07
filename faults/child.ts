/**
 * The pipeline under test, as its own process so that it can be killed for real: builds the
 * services from settings (which point at the fault proxies) and runs one cycle or one sweep with
 * the queue drained here, as the CLI does; or, with `plan`, a cycle that leaves its jobs on the
 * queue for the Functions handler. Prints one JSON line; exits as the CLI would. With `cli`, it is
 * the operator's `attribute-writer cycle --json` itself.
 *
 * Usage: node dist/faults/child.js cycle|full-cycle|sweep|plan|cli
 */
import { loadSettings } from '../src/config/settings';
import { ensureAppError } from '../src/core/errors';
import { createLogger } from '../src/app/logger';
import { runCycle, runSweep, type RunSummary } from '../src/app/operations';
import { buildServices, type AppServices } from '../src/app/services';
import { exitCodeOf, runCli } from '../src/cli/main';

export interface ChildReport {
  mode: string;
  counts: RunSummary['counts'];
  enqueued: number;
  workersRead?: number;
}

async function main(mode: string): Promise<number> {
  if (mode === 'cli') return runCli(['cycle', '--json']);
  const logger = createLogger({ level: 'warn', sink: (line) => process.stderr.write(`${line}\n`) });
  let services: AppServices | undefined;
  try {
    services = buildServices(loadSettings(process.env), { logger });
    // Released jobs come back after a second or a few, not the host's minutes: rounds stay short.
    const drainOptions = { retryDelaySeconds: (deliveries: number) => deliveries };
    const summary =
      mode === 'sweep'
        ? await runSweep(services, { drain: services.consumer, drainOptions })
        : await runCycle(
            services,
            mode === 'plan' ? {} : { drain: services.consumer, drainOptions, fullRead: mode === 'full-cycle' },
          );
    const report: ChildReport = {
      mode,
      counts: summary.counts,
      enqueued: summary.enqueued,
      ...(summary.workersRead !== undefined ? { workersRead: summary.workersRead } : {}),
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  } catch (err) {
    const error = ensureAppError(err);
    process.stderr.write(`child ${mode}: ${error.message} [${error.code}]\n`);
    return exitCodeOf(error);
  } finally {
    await services?.close().catch(() => undefined);
  }
}

main(process.argv[2] ?? 'cycle').then(
  (code) => process.exit(code),
  () => process.exit(1),
);
