/**
 * The core stays flat (issue 22): a newcomer follows any use case down to the leaves in a few
 * files, and a change to a shared helper touches the use cases beside it, not one inside another.
 * Imports are read with TypeScript's own pre-processor, type-only imports and re-exports included:
 * a type import is a file the reader must open too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const CORE = join(__dirname, '..', '..', 'src', 'core');

/** The longest chain of imports inside src/core, counted in files (a file importing nothing is 1). */
const MAX_DEPTH = 7;

/**
 * The use cases: the core modules that the triggers, the CLI and the app's operations call to run
 * one operation from start to end. Each may import the helpers beside it, never another use case.
 * Helpers two use cases share (recordPlans, escrowReads, workdayReads, lateWrite, …) are not in
 * the list: they live beside the use cases for that reason.
 */
const USE_CASES = [
  'cycle', // planCycle: the timer's and `cycle`'s planning
  'sweep', // sweepEscrow: the escrow sweep
  'resync', // resyncWorker: one worker now (HTTP and CLI)
  'enrichWorker', // enrichWorker: one queue job
  'screenJob', // screenJob: a queue message checked before its job runs
  'recordFailure', // recordFailure: the poison queue's `failed`
  'workerStatus', // workerStatus: HTTP and CLI `status`
  'runListing', // listRun: CLI `runs <runId>`
  'approveHeldCycle', // approveHeldCycle: the HTTP approve route
] as const;

/** Each core module's imports of other core modules, by module name (file name without `.ts`). */
export function coreImports(dir: string): Map<string, string[]> {
  const modules = readdirSync(dir)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -3));
  const known = new Set(modules);
  const graph = new Map<string, string[]>();
  for (const module of modules) {
    const text = readFileSync(join(dir, `${module}.ts`), 'utf8');
    const imported = ts
      .preProcessFile(text, true, true)
      .importedFiles.map(({ fileName }) => fileName)
      .filter((name) => name.startsWith('./'))
      .map((name) => name.slice(2).replace(/\.js$/, ''))
      .filter((name) => known.has(name));
    graph.set(module, [...new Set(imported)]);
  }
  return graph;
}

/** The longest import chain starting at each module (the module first); throws on an import cycle. */
export function longestChains(graph: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const chains = new Map<string, string[]>();
  const visiting = new Set<string>();
  const visit = (module: string): string[] => {
    const known = chains.get(module);
    if (known) return known;
    if (visiting.has(module)) throw new Error(`import cycle through src/core/${module}.ts`);
    visiting.add(module);
    let longest: string[] = [];
    for (const next of graph.get(module) ?? []) {
      const chain = visit(next);
      if (chain.length > longest.length) longest = chain;
    }
    visiting.delete(module);
    const chain = [module, ...longest];
    chains.set(module, chain);
    return chain;
  };
  for (const module of graph.keys()) visit(module);
  return chains;
}

/** Every module a module reaches through its imports, itself left out. */
function reachable(graph: ReadonlyMap<string, readonly string[]>, from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph.get(from) ?? [])];
  while (stack.length > 0) {
    const module = stack.pop()!;
    if (seen.has(module)) continue;
    seen.add(module);
    stack.push(...(graph.get(module) ?? []));
  }
  return seen;
}

describe('the core import graph', () => {
  const graph = coreImports(CORE);

  it(`has no import chain longer than ${MAX_DEPTH} files`, () => {
    const deepest = [...longestChains(graph).values()].sort((a, b) => b.length - a.length)[0]!;
    expect(deepest.length, `deepest chain: ${deepest.join(' → ')}`).toBeLessThanOrEqual(MAX_DEPTH);
  });

  it('lists only use cases that exist', () => {
    expect(USE_CASES.filter((module) => !graph.has(module))).toEqual([]);
  });

  it.each(USE_CASES)('use case %s reaches no other use case through its imports', (useCase) => {
    const others = [...reachable(graph, useCase)].filter((module) => (USE_CASES as readonly string[]).includes(module));
    expect(others, `src/core/${useCase}.ts reaches ${others.join(', ')}`).toEqual([]);
  });
});

describe('longestChains', () => {
  it('counts a chain in files and names it from the top', () => {
    const chains = longestChains(
      new Map([
        ['a', ['b', 'c']],
        ['b', ['c']],
        ['c', []],
      ]),
    );
    expect(chains.get('a')).toEqual(['a', 'b', 'c']);
  });

  it('refuses an import cycle', () => {
    expect(() =>
      longestChains(
        new Map([
          ['a', ['b']],
          ['b', ['a']],
        ]),
      ),
    ).toThrow(/import cycle/);
  });
});
