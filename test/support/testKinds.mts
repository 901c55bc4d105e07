/**
 * Which test files are integration tests: those that start Azurite or spawn a process (the CLI from
 * dist/, the fault suite's children, bash). Both go through node:child_process, so a test file is
 * one when anything it imports, following relative imports through the repository, imports it.
 * Everything else runs in-process in milliseconds to seconds: `npm run test:unit`.
 * Read by vitest.config.mts at start, so a new test file lands in the right set by itself.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
const SPAWNS = new Set(['node:child_process', 'child_process']);

function resolveRelative(from: string, specifier: string): string | null {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.cjs`, `${base}.js`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The test files (relative to root, with forward slashes) that spawn a process, Azurite included. */
export function integrationTestFiles(root: string): string[] {
  const spawns = new Map<string, boolean>();
  const visit = (file: string): boolean => {
    const known = spawns.get(file);
    if (known !== undefined) return known;
    spawns.set(file, false); // an import cycle adds nothing
    let found = false;
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      if (SPAWNS.has(specifier!)) found = true;
      else if (specifier!.startsWith('.')) {
        const target = resolveRelative(file, specifier!);
        found = target !== null && visit(target);
      }
      if (found) break;
    }
    spawns.set(file, found);
    return found;
  };
  return testFiles(join(root, 'test'))
    .filter(visit)
    .map((file) => relative(root, file).split('\\').join('/'))
    .sort();
}
