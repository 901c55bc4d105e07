/** Command-line parsing for `attribute-writer`: small on purpose, strict about what it accepts. */
import { AppError } from '../core/errors';

export const USAGE = `usage:
  attribute-writer cycle  [--dry-run] [--approve] [--reverify] [--json]
  attribute-writer sweep  [--json]
  attribute-writer resync <workerId> [--dry-run] [--json]
  attribute-writer status <workerId> [--json]
  attribute-writer escrow [--json]
  attribute-writer demo
Settings come from the environment (see README): AzureWebJobsStorage, CONNECTOR_CONFIG,
WORKDAY_*, GRAPH_BASE_URL, GRAPH_AUTH, DRY_RUN.`;

const FLAGS: Record<string, readonly string[]> = {
  cycle: ['--dry-run', '--approve', '--reverify', '--full-read', '--json'],
  sweep: ['--json'],
  resync: ['--dry-run', '--json'],
  status: ['--json'],
  escrow: ['--json'],
  demo: ['--json', '--size'],
};
const POSITIONAL: Record<string, number> = { resync: 1, status: 1 };

export interface ParsedArgs {
  command: string;
  workerId?: string;
  flags: Set<string>;
  size?: number;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') throw new AppError('INPUT.INVALID', USAGE);
  const allowed = FLAGS[command];
  if (!allowed) throw new AppError('INPUT.INVALID', `unknown command '${command}'\n${USAGE}`);
  const flags = new Set<string>();
  const positional: string[] = [];
  let size: number | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '--size') {
      size = Number(rest[++i]);
      if (!Number.isInteger(size) || size < 1) throw new AppError('INPUT.INVALID', '--size takes a whole number of workers');
    } else if (arg.startsWith('--')) {
      if (!allowed.includes(arg)) throw new AppError('INPUT.INVALID', `'${command}' does not take ${arg}\n${USAGE}`);
      flags.add(arg);
    } else positional.push(arg);
  }
  const wanted = POSITIONAL[command] ?? 0;
  if (positional.length !== wanted) {
    throw new AppError('INPUT.INVALID', wanted === 1 ? `'${command}' takes one worker id\n${USAGE}` : `'${command}' takes no arguments\n${USAGE}`);
  }
  return { command, flags, ...(positional[0] !== undefined ? { workerId: positional[0] } : {}), ...(size ? { size } : {}) };
}
