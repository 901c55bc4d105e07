/**
 * docs/design.md is the one home of the contract tables (settings, outcome codes, CLI commands,
 * exit codes). Each table is checked against the code in both directions, and a missing or stale
 * row is named in the failure, so whoever adds a setting, an outcome, a command or an error code
 * sees which row to write. The README links to these tables instead of repeating them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, COMMON_OPTIONS } from '../../src/cli/commands';
import { exitCodeOf } from '../../src/cli/main';
import { AppError, type ErrorCode } from '../../src/core/errors';
import { OUTCOME_CODES } from '../../src/core/outcome';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const design = read('docs/design.md');
const readme = read('README.md');

/** The text under a heading, up to the next heading of the same or a higher level. */
function section(doc: string, heading: string): string {
  const level = /^#+/.exec(heading)![0].length;
  const start = doc.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`docs/design.md has no heading '${heading}'`);
  const rest = doc.slice(start + heading.length + 1);
  const next = new RegExp(`^#{1,${level}} `, 'm').exec(rest);
  return next ? rest.slice(0, next.index) : rest;
}

/** The markdown tables of a section, each as rows of cells (header and separator dropped). */
function tables(text: string): string[][][] {
  const found: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      current = null;
      continue;
    }
    const cells = line
      .slice(1, line.endsWith('|') ? -1 : undefined)
      .split('|')
      .map((cell) => cell.trim());
    if (!current) {
      current = [];
      found.push(current);
      continue; // the header
    }
    if (cells.every((cell) => /^:?-+:?$/.test(cell))) continue;
    current.push(cells);
  }
  return found;
}

/** The `backticked` names in a cell. */
const namesIn = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path, pattern);
    return pattern.test(entry.name) ? [path] : [];
  });
}

/** Keys of the settings schema, read from its source so that the check needs no export of it. */
function schemaSettings(): string[] {
  const source = read('src/config/settings.ts');
  const start = source.indexOf('const settingsSchema = z');
  const end = source.indexOf('.superRefine(', start);
  expect(start, 'src/config/settings.ts: settingsSchema not found').toBeGreaterThan(-1);
  const names = [...source.slice(start, end).matchAll(/^ {4}([A-Za-z][A-Za-z0-9_]*):/gm)].map((m) => m[1]!);
  expect(names.length, 'too few settings found in the schema: has its layout changed?').toBeGreaterThan(15);
  return names;
}

/** Every environment variable the code reads, with the file that reads it: the schema, direct reads, bindings. */
function settingsTheCodeReads(): Map<string, string> {
  const read = new Map<string, string>();
  for (const name of schemaSettings()) read.set(name, 'src/config/settings.ts');
  const files = [...filesUnder(join(ROOT, 'src'), /\.ts$/), ...filesUnder(join(ROOT, 'bin'), /\.js$/)];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const where = relative(ROOT, file).split('\\').join('/');
    const patterns = [
      /\benv\??\.([A-Z][A-Za-z0-9_]*)/g, // process.env.NAME, env.NAME, env?.NAME
      /\benv\[['"]([A-Za-z][A-Za-z0-9_]*)['"]\]/g, // env['NAME']
      /'%([A-Za-z][A-Za-z0-9_]*)%/g, // a binding expression the host resolves from the app settings
    ];
    for (const pattern of patterns)
      for (const m of text.matchAll(pattern)) if (!read.has(m[1]!)) read.set(m[1]!, where);
  }
  return read;
}

describe('docs/design.md, Settings', () => {
  // Read inside each case, so that a missing section fails the cases, not the file's collection.
  const appTable = () => tables(section(design, '### Settings'))[0] ?? [];
  const hostTable = () => tables(section(design, '### Settings'))[1] ?? [];
  const documented = () => appTable().flatMap((row) => namesIn(row[0]!));
  const codeReads = settingsTheCodeReads();

  it('has a row for every setting the code reads', () => {
    const missing = [...codeReads]
      .filter(([name]) => !documented().includes(name))
      .map(([name, file]) => `no row for \`${name}\` (read by ${file})`);
    expect(missing, 'docs/design.md "### Settings": add a row to the first table for each').toEqual([]);
  });

  it('has no row for a setting the code does not read', () => {
    const stale = documented()
      .filter((name) => !codeReads.has(name))
      .map((name) => `\`${name}\``);
    expect(
      stale,
      'docs/design.md "### Settings": the code reads none of these; drop the row or move it to the host table',
    ).toEqual([]);
  });

  it("lists in the host's table only what the app itself does not read", () => {
    const hostNames = hostTable().flatMap((row) => namesIn(row[0]!));
    expect(hostNames.length).toBeGreaterThan(0);
    const readByApp = hostNames
      .filter((name) => codeReads.has(name))
      .map((name) => `\`${name}\` (read by ${codeReads.get(name)})`);
    expect(readByApp, 'docs/design.md "### Settings": these belong in the first table').toEqual([]);
  });

  it('gives the write cap that the Bicep sets', () => {
    const row = appTable().find((cells) => namesIn(cells[0]!).includes('GRAPH_MAX_WRITES_PER_SECOND'));
    const formula = /GRAPH_MAX_WRITES_PER_SECOND: (.+)/.exec(read('infra/app/api.bicep'))?.[1]?.trim() ?? '';
    if (formula === 'string(20 / (writingGroups * maximumInstanceCount))') {
      // Bicep divides integers: the row must say so, or 3 instances per group read as 3.33/s each.
      expect(row?.[1]).toContain('⌊20 / (2 × maximumInstanceCount)⌋');
    } else {
      // The Bicep no longer divides by the instance count: the row must not say it does.
      expect(row?.[1], `infra/app/api.bicep now sets ${formula || 'no cap'}`).not.toContain('maximumInstanceCount');
    }
  });
});

describe('docs/design.md, Outcomes', () => {
  it('has a row for every outcome code, and none other', () => {
    const [table] = tables(section(design, '## Outcomes'));
    const documented = (table ?? []).map((row) => namesIn(row[0]!)[0] ?? row[0]!);
    const missing = OUTCOME_CODES.filter((code) => !documented.includes(code)).map((code) => `no row for \`${code}\``);
    const stale = documented
      .filter((code) => !(OUTCOME_CODES as readonly string[]).includes(code))
      .map((code) => `\`${code}\` is not in OUTCOME_CODES (src/core/outcome.ts)`);
    expect([...missing, ...stale], 'docs/design.md "## Outcomes"').toEqual([]);
  });
});

describe('docs/design.md, Command line', () => {
  it('has a line for every command with every option it takes, and no option it does not', () => {
    const block = /```\n([\s\S]*?)```/.exec(section(design, '### Command line'))?.[1] ?? '';
    const lines = block.split('\n').filter((line) => line.startsWith('attribute-writer '));
    const problems = Object.entries(COMMANDS).flatMap(([name, spec]) => {
      const line = lines.find((l) => l.startsWith(`attribute-writer ${name} `));
      if (!line) return [`no line for the command \`${name}\``];
      const takes = [...Object.keys(spec.options), ...Object.keys(COMMON_OPTIONS)];
      const shown = [...line.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!);
      return [
        ...Object.keys(spec.options)
          .filter((option) => !shown.includes(option))
          .map((option) => `\`${name}\`: option --${option} missing`),
        ...shown.filter((option) => !takes.includes(option)).map((option) => `\`${name}\`: takes no --${option}`),
      ];
    });
    const unknown = lines
      .map((line) => line.split(/\s+/)[1]!)
      .filter((word) => !word.startsWith('-') && !(word in COMMANDS))
      .map((word) => `\`${word}\` is not a command (src/cli/commands.ts)`);
    expect([...problems, ...unknown], 'docs/design.md "### Command line"').toEqual([]);
  });
});

describe('docs/design.md, Exit codes', () => {
  const rows = () =>
    new Map(
      (tables(section(design, '### Exit codes'))[0] ?? []).map((row) => [
        Number(namesIn(row[0]!)[0]),
        namesIn(row[2] ?? ''),
      ]),
    );
  const source = read('src/core/errors.ts');
  const union = source.slice(
    source.indexOf('export type ErrorCode'),
    source.indexOf(';', source.indexOf('export type ErrorCode')),
  );
  const errorCodes = [...union.matchAll(/'([A-Z]+\.[A-Z_]+|INTERNAL)'/g)].map((m) => m[1]! as ErrorCode);

  it('puts every error code in the row of the exit code it gives', () => {
    expect(errorCodes.length).toBeGreaterThan(10);
    const byExit = rows();
    const misplaced = errorCodes.flatMap((code) => {
      const exit = exitCodeOf(new AppError(code, 'x'));
      if (!byExit.has(exit)) return [`no row for exit code ${exit} (given by ${code})`];
      return byExit.get(exit)!.includes(code) ? [] : [`\`${code}\` gives exit ${exit}: list it in that row`];
    });
    const stale = [...byExit].flatMap(([exit, codes]) =>
      codes
        .filter((code) => !errorCodes.includes(code as ErrorCode))
        .map((code) => `exit ${exit}: \`${code}\` is not an error code`),
    );
    expect([...misplaced, ...stale], 'docs/design.md "### Exit codes"').toEqual([]);
  });

  it('has a row for success and only for codes the CLI can give', () => {
    expect([...rows().keys()].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('the other documents', () => {
  it('link to the outcome and exit-code tables instead of repeating them', () => {
    const others = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((name) => `docs/${name}`)].filter(
      (path) => path.endsWith('.md') && path !== 'docs/design.md',
    );
    const repeated = others.flatMap((path) => {
      const text = read(path);
      return [
        ...OUTCOME_CODES.filter((code) => text.includes(`| \`${code}\` |`)).map(
          (code) => `${path}: outcome row \`${code}\``,
        ),
        ...(/^\| `[0-3]` \|/m.test(text) ? [`${path}: an exit-code row`] : []),
      ];
    });
    expect(repeated, 'rows of docs/design.md repeated elsewhere').toEqual([]);
  });

  it('README links to the contract tables instead of repeating the settings', () => {
    const repeated = ['AzureWebJobsStorage', 'GRAPH_AUTH', 'DRY_RUN', 'LOG_LEVEL']
      .filter((name) => readme.includes(`| \`${name}\``))
      .map((name) => `settings row \`${name}\``);
    expect(repeated, 'README.md repeats rows of docs/design.md').toEqual([]);
    for (const anchor of ['#outcomes', '#settings', '#command-line', '#exit-codes'])
      expect(readme).toContain(`docs/design.md${anchor}`);
  });
});
