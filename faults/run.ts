/**
 * `npm run faults [-- --seed N --workers N --rounds N --slow-report-seconds N]`: the
 * fault-injection suite over the real pipeline. Prints one table; exits 1 on any wrong figure.
 */
import { formatReport, wrongFigures } from './report';
import { ROUND_KINDS, type RoundKind } from './faultRounds';
import { runSuite } from './suite';

function kindsOption(args: string[]): RoundKind[] | undefined {
  const index = args.indexOf('--kinds');
  if (index === -1) return undefined;
  const kinds = (args[index + 1] ?? '').split(',');
  const unknown = kinds.filter((kind) => !(ROUND_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0)
    throw new Error(`--kinds takes a comma-separated list of ${ROUND_KINDS.join(', ')}; not ${unknown.join(', ')}`);
  return kinds as RoundKind[];
}

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} takes a number, e.g. --${name} ${fallback}`);
  return value;
}

async function main(args: string[]): Promise<number> {
  if (args.includes('--help')) {
    process.stdout.write(
      `npm run faults -- [--seed 1] [--workers 2000] [--rounds ${ROUND_KINDS.length}] [--slow-report-seconds 60] [--kinds ${ROUND_KINDS.join(',')}]\n`,
    );
    return 0;
  }
  const seed = option(args, 'seed', 1);
  const workers = option(args, 'workers', 2000);
  const rounds = option(args, 'rounds', ROUND_KINDS.length);
  const slowReportMs = option(args, 'slow-report-seconds', 60) * 1000;
  const kinds = kindsOption(args);
  const result = await runSuite({
    ...(kinds ? { kinds } : {}),
    seed,
    workers,
    rounds,
    slowReportMs,
    childDeadlineMs: 300_000,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(
    `${formatReport(result, `npm run faults -- ${kinds ? `--kinds ${kinds.join(',')} ` : ''}--seed ${seed} --workers ${workers} --rounds ${rounds}`)}\n`,
  );
  return wrongFigures(result) === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`faults: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
