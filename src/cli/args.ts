/**
 * Command-line parsing for `attribute-writer`, with node:util's parseArgs over the one command
 * table (./commands). Strict about what it accepts, and helpful when it refuses: an unknown
 * command or option names the closest valid one.
 */
import { parseArgs } from 'node:util';
import { AppError } from '../core/errors';
import {
  COMMAND_NAMES,
  COMMANDS,
  COMMON_OPTIONS,
  commandUsage,
  shortUsage,
  toolUsage,
  type CommandName,
  type CommandSpec,
  type OptionSpec,
} from './commands';

export type ParsedArgs =
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  | { kind: 'run'; command: CommandName; workerId?: string; options: Record<string, string | boolean> };

export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const [first, ...rest] = argv;
  if (first === undefined) throw usageError('a command is required', shortUsage());
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = rest[0];
    return { kind: 'help', text: topic && isCommand(topic) ? commandUsage(topic) : toolUsage() };
  }
  if (first === '--version') return { kind: 'version' };
  if (!isCommand(first)) {
    const hint = closest(first, first.startsWith('-') ? ['--help', '--version'] : COMMAND_NAMES);
    throw usageError(
      `unknown ${first.startsWith('-') ? 'option' : 'command'} '${first}'${hint ? `; did you mean '${hint}'?` : ''}`,
      shortUsage(),
    );
  }
  return parseCommand(first, rest);
}

function parseCommand(command: CommandName, given: readonly string[]): ParsedArgs {
  const spec: CommandSpec = COMMANDS[command];
  const known: Record<string, OptionSpec> = { ...spec.options, ...COMMON_OPTIONS };
  const usage = shortUsage(command);
  const { args, optionalValues } = takeOptionalValues(given, known);
  // Not strict: unknown options come back as tokens, so the error can name the closest valid one.
  const { values, positionals, tokens } = parseArgs({
    args: [...args],
    options: Object.fromEntries(
      Object.entries(known).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }]),
    ),
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  if (values.help === true) return { kind: 'help', text: commandUsage(command) };
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option = known[token.name];
    if (!option) {
      const hint = closest(token.name, Object.keys(known));
      throw usageError(`'${command}' does not take ${token.rawName}${hint ? `; did you mean --${hint}?` : ''}`, usage);
    }
    if (option.type === 'string' && token.value === undefined)
      throw usageError(`${token.rawName} takes a value (${option.valueName ?? 'value'})`, usage);
    if (option.type === 'boolean' && token.value !== undefined)
      throw usageError(`${token.rawName} takes no value`, usage);
  }
  const wanted = spec.argument ? 1 : 0;
  if (positionals.length !== wanted && !(spec.argument?.optional && positionals.length === 0)) {
    const what = spec.argument ? `one ${spec.argument.name}` : 'no arguments';
    throw usageError(
      `'${command}' takes ${what}${positionals.length > wanted ? `, not '${positionals.slice(wanted).join(' ') || positionals.join(' ')}'` : ''}`,
      usage,
    );
  }
  const options = {
    ...(Object.fromEntries(Object.entries(values).filter(([name]) => name !== 'help')) as Record<
      string,
      string | boolean
    >),
    ...optionalValues,
  };
  return { kind: 'run', command, workerId: positionals[0], options };
}

/**
 * A boolean option that may take a value (`--approve [runId]`, `--approve=<runId>`): node's
 * parseArgs has no such kind, so the value is taken out first and returned as `<name>Value`.
 */
function takeOptionalValues(
  given: readonly string[],
  known: Record<string, OptionSpec>,
): { args: string[]; optionalValues: Record<string, string> } {
  const args: string[] = [];
  const optionalValues: Record<string, string> = {};
  for (let i = 0; i < given.length; i++) {
    const arg = given[i] as string;
    const [flag, inline] = arg.startsWith('--')
      ? [arg.slice(2).split('=', 1)[0] as string, arg.includes('=')]
      : ['', false];
    if (!known[flag]?.optionalValue) {
      args.push(arg);
      continue;
    }
    args.push(`--${flag}`);
    const next = given[i + 1];
    if (inline) optionalValues[`${flag}Value`] = arg.slice(flag.length + 3);
    else if (next !== undefined && !next.startsWith('-')) {
      optionalValues[`${flag}Value`] = next;
      i += 1;
    }
  }
  return { args, optionalValues };
}

/** A whole number of at least 1 from a string option, or an INPUT.INVALID naming the option. */
export function wholeNumberOption(value: string | boolean | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || number < 1)
    throw new AppError('INPUT.INVALID', `--${option} takes a whole number of at least 1, not '${String(value)}'`);
  return number;
}

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

function usageError(message: string, usage: string): AppError {
  return new AppError('INPUT.INVALID', `${message}\n${usage}`);
}

/** The candidate within a few edits of what was typed (a typo), or undefined. */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  const bare = typed.replace(/^-+/, '').toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(bare, name.replace(/^-+/, '').toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best) return undefined;
  const bareBest = best.name.replace(/^-+/, '');
  const prefix = bare.length >= 2 && bareBest.startsWith(bare);
  return prefix || best.distance <= Math.max(2, Math.floor(bareBest.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
