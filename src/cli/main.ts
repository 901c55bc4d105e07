/**
 * `attribute-writer`: the operator's command line over the same use cases the Functions run.
 * Exit codes (DESIGN.md): 0 ran to its end; 2 invalid settings, connector file or arguments;
 * 3 Workday or Graph could not be read; 1 anything else.
 */
import { loadSettings } from '../config/settings';
import { AppError, ensureAppError } from '../core/errors';
import { maskPersonalData } from '../core/mask';
import { workerStatus } from '../core/workerStatus';
import type { EscrowEntry, Logger } from '../core/ports';
import { createLogger } from '../app/logger';
import { runCycle, runResync, runSweep } from '../app/operations';
import { buildServices, type AppServices } from '../app/services';
import { parseArgs, type ParsedArgs } from './args';
import { runDemo } from '../demo/runDemo';
import { formatEscrow, formatOutcome, formatSummary } from './format';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Tests replace the logger to capture what would go to standard error. */
  logger?: Logger;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    io.stderr(`${ensureAppError(err).message}\n`);
    return 2;
  }
  if (args.command === 'demo') {
    return runDemo({ stdout: io.stdout, stderr: io.stderr, ...(args.size ? { size: args.size } : {}), json: args.flags.has('--json') });
  }
  let services: AppServices | undefined;
  try {
    const logger = io.logger ?? createLogger({ sink: (line) => io.stderr(`${line}\n`) });
    services = buildServices(loadSettings(io.env), { logger });
    await execute(args, services, io);
    return 0;
  } catch (err) {
    const error = ensureAppError(err);
    io.stderr(`attribute-writer: ${maskPersonalData(error.message)} [${error.code}]\n`);
    return exitCodeOf(error);
  } finally {
    await services?.close().catch(() => undefined);
  }
}

export function exitCodeOf(error: AppError): number {
  if (error.isConfiguration || error.code === 'INPUT.INVALID') return 2;
  if (error.code.startsWith('WORKDAY.') || error.code.startsWith('GRAPH.')) return 3;
  return 1;
}

async function execute(args: ParsedArgs, services: AppServices, io: CliIo): Promise<void> {
  const json = args.flags.has('--json');
  const print = (value: unknown, text: () => string): void => io.stdout(`${json ? JSON.stringify(value, null, 2) : text()}\n`);
  switch (args.command) {
    case 'cycle': {
      const summary = await runCycle(services, {
        dryRun: args.flags.has('--dry-run'),
        approve: args.flags.has('--approve'),
        reverify: args.flags.has('--reverify'),
        fullRead: args.flags.has('--full-read'),
        drain: true,
      });
      print(summary, () => formatSummary(summary));
      return;
    }
    case 'sweep': {
      const summary = await runSweep(services, { drain: true });
      print(summary, () => formatSummary(summary));
      return;
    }
    case 'resync': {
      const { outcome, summary } = await runResync(services, args.workerId as string, { dryRun: args.flags.has('--dry-run') });
      print({ ...summary, outcome }, () => `${formatOutcome(outcome)}${outcome.detail && outcome.changes?.length ? `\n  ${outcome.detail}` : ''}`);
      return;
    }
    case 'status': {
      const view = await workerStatus(services, args.workerId as string);
      print(view, () => JSON.stringify(view, null, 2));
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
