/**
 * `attribute-writer`: the operator's command line over the same use cases the Functions run.
 * Exit codes (the contract): 0 ran to its end; 2 invalid settings, connector file or arguments;
 * 3 Workday or Graph could not be read (`check`: any service); 1 anything else.
 * Help and the version go to standard output with exit 0; results to standard output (one JSON
 * object with --json); logs, errors and progress to standard error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSettings } from '../config/settings';
import { AppError, ensureAppError } from '../core/errors';
import { maskPersonalData, maskValue } from '../core/mask';
import { workerStatus } from '../core/workerStatus';
import type { EscrowEntry, Logger } from '../core/ports';
import { runCheck } from '../app/check/runCheck';
import { createLogger } from '../app/logger';
import { runCycle, runResync, runSweep } from '../app/operations';
import { packageRoot } from '../app/packageRoot';
import { cliOperator } from '../app/cliOperator';
import { buildServices, type AppServices } from '../app/services';
import { parseCommandLine, wholeNumberOption, type ParsedArgs } from './args';
import { formatEscrow, formatOutcome, formatSummary } from './format';
import { formatCheck, formatRuns, formatStatus } from './formatRecords';
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
      // check reports each problem on its own line; the adapters' warnings would only repeat them.
      ...(args.command === 'check' ? { level: 'error' as const } : {}),
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
  let services: AppServices | undefined;
  try {
    services = buildServices(loadSettings(io.env), { logger });
    await execute(args, services, io, stderrLines);
    return 0;
  } catch (err) {
    return fail(io, ensureAppError(err));
  } finally {
    stderrLines.progress?.finish();
    await services?.close().catch(() => undefined);
  }
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
  const json = args.options.json === true;
  // Standard output is a boundary: every string is masked there, stored free text included.
  const print = (value: unknown, text: () => string): void =>
    io.stdout(`${json ? JSON.stringify(maskValue(value), null, 2) : maskPersonalData(text())}\n`);
  /** Progress of the drain, from the enqueued total and each job's outcome. */
  const progressed = (kind: string) => {
    const progress = new DrainProgress({
      kind,
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
      const progress = progressed('cycle');
      const summary = await runCycle(services, {
        requestedBy: await cliOperator(services.settings),
        dryRun: args.options['dry-run'] === true,
        approve: args.options.approve === true,
        ...(typeof args.options.approveValue === 'string' ? { approveRun: args.options.approveValue } : {}),
        reverify: args.options.reverify === true,
        fullRead: args.options['full-read'] === true,
        drain: true,
        drainOptions: progress.drainOptions,
        onEnqueued: progress.onEnqueued,
      });
      progress.done();
      print(summary, () => formatSummary(summary));
      return;
    }
    case 'sweep': {
      const progress = progressed('sweep');
      const summary = await runSweep(services, {
        requestedBy: await cliOperator(services.settings),
        drain: true,
        drainOptions: progress.drainOptions,
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
    case 'status': {
      const view = await workerStatus(services, args.workerId as string);
      print(view, () => formatStatus(view));
      return;
    }
    case 'runs': {
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
