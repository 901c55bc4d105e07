/**
 * `attribute-writer`: the operator's command line over the same use cases the Functions run.
 * Exit codes (the contract): 0 ran to its end; 2 invalid settings, connector file or arguments;
 * 3 Workday or Graph could not be read (`check`: any service); 1 anything else.
 * Help and the version go to standard output with exit 0; results to standard output (one JSON
 * object with --json); logs, errors and progress to standard error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, ensureAppError } from '../core/errors';
import { maskPersonalData, maskValue } from '../core/mask';
import { listRun } from '../core/runListing';
import { workerStatus } from '../core/workerStatus';
import type { EscrowEntry, Logger, LogLevel } from '../core/ports';
import { logLevelSetting } from '../config/settings';
import { runCheck } from '../app/check/runCheck';
import { createLogger } from '../app/logger';
import { runCycle, runResync, runSweep } from '../app/operations';
import { packageRoot } from '../app/packageRoot';
import { cliOperator } from '../app/cliOperator';
import { buildServices, type AppServices } from '../app/services';
import { loadRunConfiguration, loadStorageSettings } from '../app/loadConfiguration';
import { buildStorageServices, type StorageServices } from '../app/storageServices';
import { parseCommandLine, wholeNumberOption, type ParsedArgs } from './args';
import { formatEscrow, formatOutcome, formatSummary } from './format';
import { formatCheck, formatRunListing, formatRuns, formatStatus } from './formatRecords';
import { DrainProgress } from './progress';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Standard error is a terminal: progress redraws one live line instead of printing plain lines. */
  stderrIsTerminal?: boolean;
  /** Tests replace the logger to capture what would go to standard error. */
  logger?: Logger;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stderrIsTerminal: process.stderr.isTTY === true,
};

type RunArgs = Extract<ParsedArgs, { kind: 'run' }>;

/** Where log lines go: above the live progress line while one shows. */
interface StderrLines {
  progress?: DrainProgress;
}

export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseCommandLine(argv);
  } catch (err) {
    io.stderr(`attribute-writer: ${ensureAppError(err).message}\n`);
    return 2;
  }
  if (args.kind === 'help') {
    io.stdout(`${args.text}\n`);
    return 0;
  }
  if (args.kind === 'version') {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  const stderrLines: StderrLines = {};
  const logger =
    io.logger ??
    createLogger({
      sink: (line) => (stderrLines.progress ? stderrLines.progress.printAbove(line) : io.stderr(`${line}\n`)),
      level: cliLogLevel(args, io),
    });
  try {
    if (args.command === 'demo') {
      // Loaded only here: the demo brings the simulators, which the deployed app never loads.
      const { runDemo } = await import('../demo/runDemo.js');
      return await runDemo({
        stdout: io.stdout,
        stderr: io.stderr,
        size: wholeNumberOption(args.options.size, 'size', 300),
        json: args.options.json === true,
        keep: args.options.keep === true ? { untilStopped: interrupted } : undefined,
        formatSummary,
      });
    }
    if (args.command === 'check') {
      const report = await runCheck(io.env, { logger });
      io.stdout(`${args.options.json === true ? JSON.stringify(report, null, 2) : formatCheck(report)}\n`);
      return report.exitCode;
    }
  } catch (err) {
    return fail(io, ensureAppError(err));
  }
  let services: AppServices | StorageServices | undefined;
  try {
    if (isReadOnly(args.command)) {
      const stores = buildStorageServices(loadStorageSettings(io.env), { logger });
      services = stores;
      await executeRead(args, stores, io);
    } else {
      const { settings, connector } = loadRunConfiguration(io.env);
      const full = buildServices(settings, { logger, connector });
      services = full;
      await execute(args, full, io, stderrLines);
    }
    return 0;
  } catch (err) {
    return fail(io, ensureAppError(err));
  } finally {
    stderrLines.progress?.finish();
    await services?.close().catch(() => undefined);
  }
}

/**
 * check reports each problem on its own line; the adapters' warnings would only repeat them. On a
 * terminal, unless LOG_LEVEL or --verbose asks for more, the progress line and warnings are
 * enough: one info line per worker would bury both. A pipe or a log file keeps every line.
 */
function cliLogLevel(args: RunArgs, io: CliIo): LogLevel {
  if (args.command === 'check') return 'error';
  if (io.env.LOG_LEVEL) return logLevelSetting(io.env);
  if (args.options.verbose === true) return 'info';
  return io.stderrIsTerminal === true ? 'warn' : 'info';
}

/** Ctrl-C (or a polite kill): the kept demo world is taken down instead of the process dying. */
function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function fail(io: CliIo, error: AppError): number {
  io.stderr(`attribute-writer: ${maskPersonalData(error.message)} [${error.code}]\n`);
  return exitCodeOf(error);
}

export function exitCodeOf(error: AppError): number {
  if (error.isConfiguration || error.code === 'INPUT.INVALID') return 2;
  if (error.code.startsWith('WORKDAY.') || error.code.startsWith('GRAPH.')) return 3;
  return 1;
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

async function execute(args: RunArgs, services: AppServices, io: CliIo, stderrLines: StderrLines): Promise<void> {
  const print = printer(io, args);
  /** Progress of the drain, from the enqueued total and each job's outcome. */
  const progressed = (kind: string, dryRun: boolean) => {
    const progress = new DrainProgress({
      kind,
      dryRun: dryRun || services.dryRun,
      write: io.stderr,
      live: io.stderrIsTerminal === true,
      throttled: () => services.directory.stats().throttled,
    });
    return {
      onEnqueued: (count: number) => {
        stderrLines.progress = progress;
        progress.start(count);
      },
      drainOptions: { onOutcome: progress.outcome.bind(progress) },
      done: () => {
        progress.finish();
        stderrLines.progress = undefined;
      },
    };
  };
  switch (args.command) {
    case 'cycle': {
      const progress = progressed('cycle', args.options['dry-run'] === true);
      using interrupt = onCtrlC();
      const summary = await runCycle(services, {
        requestedBy: await cliOperator(services.settings),
        dryRun: args.options['dry-run'] === true,
        approve: args.options.approve === true,
        approveRun: typeof args.options.approveValue === 'string' ? args.options.approveValue : undefined,
        reverify: args.options.reverify === true,
        fullRead: args.options['full-read'] === true,
        drain: true,
        drainOptions: { ...progress.drainOptions, signal: interrupt.signal },
        onEnqueued: progress.onEnqueued,
      });
      progress.done();
      print(summary, () => formatSummary(summary));
      return;
    }
    case 'sweep': {
      const progress = progressed('sweep', false);
      using interrupt = onCtrlC();
      const summary = await runSweep(services, {
        requestedBy: await cliOperator(services.settings),
        drain: true,
        drainOptions: { ...progress.drainOptions, signal: interrupt.signal },
        onEnqueued: progress.onEnqueued,
      });
      progress.done();
      print(summary, () => formatSummary(summary));
      return;
    }
    case 'resync': {
      const { outcome, summary } = await runResync(services, args.workerId as string, {
        requestedBy: await cliOperator(services.settings),
        dryRun: args.options['dry-run'] === true,
      });
      print(
        { ...summary, outcome },
        () => `${formatOutcome(outcome)}${outcome.detail && outcome.changes?.length ? `\n  ${outcome.detail}` : ''}`,
      );
      return;
    }
    default:
      throw new AppError('INPUT.INVALID', `unknown command '${args.command}'`);
  }
}

/** Standard output is a boundary: every string is masked there, stored free text included. */
function printer(io: CliIo, args: RunArgs): (value: unknown, text: () => string) => void {
  const json = args.options.json === true;
  return (value, text) => io.stdout(`${json ? JSON.stringify(maskValue(value), null, 2) : maskPersonalData(text())}\n`);
}

/** The commands that only read the tables: they run with the storage setting alone. */
const READ_ONLY = new Set(['runs', 'status', 'escrow']);

function isReadOnly(command: string): boolean {
  return READ_ONLY.has(command);
}

async function executeRead(args: RunArgs, services: StorageServices, io: CliIo): Promise<void> {
  const print = printer(io, args);
  switch (args.command) {
    case 'status': {
      const view = await workerStatus(services, args.workerId as string);
      print(view, () => formatStatus(view));
      return;
    }
    case 'runs': {
      const outcome = typeof args.options.outcome === 'string' ? args.options.outcome : undefined;
      // The command's one argument, a run id here.
      if (args.workerId !== undefined) {
        const listing = await listRun(services.runs, args.workerId, outcome);
        print(listing, () => formatRunListing(listing));
        return;
      }
      if (outcome !== undefined)
        throw new AppError('INPUT.INVALID', '--outcome lists the workers of one run: give its run id');
      const runs = await services.runs.latest(wholeNumberOption(args.options.last, 'last', 20));
      print({ count: runs.length, runs }, () => formatRuns(runs));
      return;
    }
    case 'escrow': {
      const entries: EscrowEntry[] = [];
      for await (const entry of services.escrow.list()) entries.push(entry);
      entries.sort((a, b) => a.firstSeen.getTime() - b.firstSeen.getTime());
      const now = services.clock.now();
      const listing = entries.map((e) => ({
        workerId: e.workerId,
        reason: e.reason,
        firstSeen: e.firstSeen.toISOString(),
        attempts: e.attempts,
        nextAttempt: e.nextAttempt.toISOString(),
        ageMinutes: Math.round((now.getTime() - e.firstSeen.getTime()) / 60_000),
      }));
      print({ count: listing.length, entries: listing }, () => formatEscrow(entries, now));
      return;
    }
    default:
      throw new AppError('INPUT.INVALID', `unknown command '${args.command}'`);
  }
}

/**
 * The first Ctrl-C of a cycle or sweep stops its drain after the jobs in flight, so the run is
 * recorded as stopped with what it did; a second one ends the process at once (Node's default).
 */
function onCtrlC(): { signal: AbortSignal; [Symbol.dispose](): void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  return { signal: controller.signal, [Symbol.dispose]: () => process.off('SIGINT', abort) };
}
