/**
 * Every command and option of `attribute-writer`, in one table: the parser reads its options
 * from here and the usage text is printed from here, so the two cannot drift apart.
 */

export interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
  /** Shown after the option in the usage (`--last N`); string options only. */
  valueName?: string;
  /** A boolean option that may take a value (`--approve [runId]`): the value is `<name>Value`. */
  optionalValue?: string;
  description: string;
}

export interface CommandSpec {
  /** One line: what the command does. */
  summary: string;
  /** The positional argument, when the command takes one (`optional`: it may be left out). */
  argument?: { name: string; description: string; optional?: boolean };
  options: Record<string, OptionSpec>;
}

const verbose: OptionSpec = {
  type: 'boolean',
  description: "on a terminal too, log each worker's outcome on standard error (as LOG_LEVEL=info does)",
};

const json: OptionSpec = {
  type: 'boolean',
  description: 'print exactly one JSON object on standard output (logs and progress stay on standard error)',
};

export const COMMANDS = {
  cycle: {
    summary: 'one full cycle here: read, scope, enqueue, drain the queue, summarise',
    options: {
      'dry-run': { type: 'boolean', description: 'plan and report, write nothing to Graph or the ledger' },
      approve: {
        type: 'boolean',
        optionalValue: 'runId',
        description: 'approve the latest held plan (the mass-change guard), or exactly the held run named',
      },
      reverify: { type: 'boolean', description: 'check every in-scope worker against Graph, ignoring the ledger' },
      'full-read': {
        type: 'boolean',
        description: 'read every worker, even when the source could read only the changes',
      },
      verbose,
      json,
    },
  },
  sweep: {
    summary: 'one escrow sweep here: re-try the escrowed workers that are due, drain, summarise',
    options: { verbose, json },
  },
  resync: {
    summary: 'read one worker from Workday and run the pipeline for it now',
    argument: { name: 'workerId', description: 'the Workday worker id (the employeeId in Entra)' },
    options: {
      'dry-run': { type: 'boolean', description: 'show the diff, write nothing' },
      json,
    },
  },
  escrow: {
    summary: 'list escrowed workers with reason, age and next attempt',
    options: { json },
  },
  status: {
    summary: 'ledger and escrow state of one worker',
    argument: { name: 'workerId', description: 'the Workday worker id' },
    options: { json },
  },
  check: {
    summary: 'can the next cycle work? settings, storage, Workday, Graph roles; writes nothing',
    options: { json },
  },
  runs: {
    summary: "run history, newest first; with a run id, that run's workers by outcome",
    argument: {
      name: 'runId',
      optional: true,
      description: 'list the workers of this run (its settled jobs, and the outcomes planning gave that need a person)',
    },
    options: {
      last: { type: 'string', valueName: 'N', description: 'how many runs to show (default 20)' },
      outcome: {
        type: 'string',
        valueName: 'CODE',
        description: 'with a run id: only the workers with this outcome (written, denied, escrowed, …)',
      },
      json,
    },
  },
  demo: {
    summary: "the embedded default: Azurite + simulated Workday and Graph, a connector's first day",
    options: {
      size: { type: 'string', valueName: 'N', description: 'workers in the simulated tenant (default 300)' },
      keep: {
        type: 'boolean',
        description:
          'leave Azurite and the simulated tenants running and print the settings to export for every other command; Ctrl-C stops them',
      },
      json,
    },
  },
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

/** Options every command takes besides its own. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'print this help and exit' },
};

const SETTINGS_NOTE = `Settings come from the environment (docs/design.md, Settings): AzureWebJobsStorage, CONNECTOR_CONFIG,
WORKDAY_RAAS_URL or WORKDAY_SOAP_URL, WORKDAY_USERNAME, WORKDAY_PASSWORD, GRAPH_BASE_URL, GRAPH_AUTH, DRY_RUN.
runs, status and escrow need only the storage setting (and TABLE_PREFIX when it is not the default).
Exit codes: 0 ran to its end; 2 invalid settings, connector file or arguments; 3 Workday or
Graph could not be read (check: any service could not be reached); 1 anything else.`;

function synopsis(name: CommandName): string {
  const spec: CommandSpec = COMMANDS[name];
  const parts = [`attribute-writer ${name.padEnd(6)}`];
  if (spec.argument) parts.push(spec.argument.optional ? `[<${spec.argument.name}>]` : `<${spec.argument.name}>`);
  for (const [option, o] of Object.entries(spec.options))
    parts.push(`[--${option}${o.valueName ? ` ${o.valueName}` : o.optionalValue ? ` [${o.optionalValue}]` : ''}]`);
  return parts.join(' ');
}

/** After a refused command line: the synopsis to fix it by, and where the full help is. */
export function shortUsage(name?: CommandName): string {
  if (!name)
    return `usage: attribute-writer <command> [options]  (commands: ${COMMAND_NAMES.join(', ')}; see attribute-writer --help)`;
  return `usage: ${synopsis(name)}  (see attribute-writer ${name} --help)`;
}

/** `attribute-writer --help`: every command with its options. */
export function toolUsage(): string {
  const lines = ['usage:'];
  for (const name of COMMAND_NAMES) {
    lines.push(`  ${synopsis(name)}`);
    lines.push(`      ${COMMANDS[name].summary}`);
  }
  lines.push('  attribute-writer --help | <command> --help | --version');
  lines.push('');
  lines.push(SETTINGS_NOTE);
  return lines.join('\n');
}

/** `attribute-writer <command> --help`: the command, its argument and each option explained. */
export function commandUsage(name: CommandName): string {
  const spec: CommandSpec = COMMANDS[name];
  const lines = [`usage: ${synopsis(name)}`, '', spec.summary, ''];
  const rows: Array<[string, string]> = [];
  if (spec.argument) rows.push([`<${spec.argument.name}>`, spec.argument.description]);
  for (const [option, o] of Object.entries({ ...spec.options, ...COMMON_OPTIONS })) {
    rows.push([
      `${o.short ? `-${o.short}, ` : ''}--${option}${o.valueName ? ` ${o.valueName}` : o.optionalValue ? ` [${o.optionalValue}]` : ''}`,
      o.description,
    ]);
  }
  const width = Math.max(...rows.map(([left]) => left.length));
  for (const [left, right] of rows) lines.push(`  ${left.padEnd(width)}  ${right}`);
  lines.push('');
  lines.push(SETTINGS_NOTE);
  return lines.join('\n');
}
