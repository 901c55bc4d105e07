/**
 * The README and docs/ as promises: what they say the app does must be what the code does, and
 * they stand alone (no citation of a document outside the repository).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands';
import { SETTING_NAMES } from '../../src/config/settings';
import { parseConnector } from '../../src/core/parseConnector';
import { workerOutcomeRecords } from '../../src/telemetry/telemetryRecords';

const ROOT = join(__dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

function directoriesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => [join(dir, entry.name), ...directoriesUnder(join(dir, entry.name))]);
}

function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'fixtures' ? [] : filesUnder(path, pattern);
    return pattern.test(entry.name) ? [path] : [];
  });
}

describe('README', () => {
  it('promises the masked diff that the WorkerOutcome event carries', () => {
    const [event] = workerOutcomeRecords(
      {
        code: 'written',
        workerId: 'W1',
        changes: [{ property: 'otherMails', before: [], after: ['jane.doe@example.com'] }],
      },
      { runId: 'r1', durationMs: 1, graphRequests: 1 },
    );
    expect(readme).toContain('with the masked diff');
    expect((event as { properties: Record<string, string> }).properties.changes).toContain('j***@example.com');
  });

  it('refers to no section it lacks', () => {
    const headings = new Set([...readme.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim()));
    const referred = [...readme.matchAll(/see (?:the )?"([^"]+)"/gi)].map((m) => m[1]!);
    expect(referred.filter((name) => !headings.has(name))).toEqual([]);
    expect(readme).not.toContain('See the Performance section below');
  });

  it('names every folder under src/ in its layout', () => {
    const folders = directoriesUnder(join(ROOT, 'src')).map((dir) => `${relative(ROOT, dir).split('\\').join('/')}/`);
    expect(folders.filter((folder) => !readme.includes(`\`${folder}\``))).toEqual([]);
  });
});

describe('the repository documents', () => {
  it('cite no design document outside the repository', () => {
    const files = ['src', 'sim', 'bench', 'scripts', 'test', 'docs', 'infra']
      .flatMap((dir) => filesUnder(join(ROOT, dir), /\.(ts|cjs|js|md|bicep|sh|kql)$/))
      .concat(join(ROOT, 'README.md'));
    const citing = files
      .filter((file) => /\bDESIGN\.md\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(citing).toEqual([]);
  });
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

describe('docs/design.md', () => {
  const design = readFileSync(join(ROOT, 'docs', 'design.md'), 'utf8');

  it('shows a connector file that the connector schema accepts', () => {
    const section = design.slice(design.indexOf('### The connector file'));
    const example = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toBeDefined();
    expect(() => parseConnector(JSON.parse(example!))).not.toThrow();
  });

  it('lists every setting the code reads in its settings table', () => {
    const section = design.slice(design.indexOf('### Settings'), design.indexOf('### The connector file'));
    const documented = (name: string) =>
      section.includes(`\`${name}\``) ||
      (name.startsWith('AzureWebJobsStorage__') && section.includes(`\`${name.slice('AzureWebJobsStorage'.length)}`));
    expect(SETTING_NAMES.filter((name) => !documented(name))).toEqual([]);
  });

  it('lists every command of the CLI with every option it takes', () => {
    const section = design.slice(design.indexOf('### Command line'));
    const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const missing = Object.entries(COMMANDS).flatMap(([name, spec]) => {
      const line = block.split('\n').find((l) => l.startsWith(`attribute-writer ${name} `));
      if (!line) return [name];
      return Object.keys(spec.options)
        .filter((option) => !line.includes(`--${option}`))
        .map((option) => `${name} --${option}`);
    });
    expect(missing).toEqual([]);
  });

  it('links only to documents and sections that exist', () => {
    const documents = [join(ROOT, 'README.md'), ...filesUnder(join(ROOT, 'docs'), /\.md$/)];
    const broken = documents.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\]\(([^)#\s]+\.md)(?:#([^)\s]+))?\)/g)]
        .filter(([, target, anchor]) => {
          if (/^[a-z]+:/.test(target!)) return false;
          const path = join(dirname(file), target!);
          let text: string;
          try {
            text = readFileSync(path, 'utf8');
          } catch {
            return true;
          }
          return anchor !== undefined && ![...text.matchAll(/^#+ (.+)$/gm)].some((m) => anchorOf(m[1]!) === anchor);
        })
        .map(([link]) => `${relative(ROOT, file)}: ${link}`),
    );
    expect(broken).toEqual([]);
  });
});
