import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]([^'"./][^'"]*)['"]/g;

/** The packages the deployed code (src/) imports: `@scope/name` or `name`. */
function packagesImportedBySrc(): Set<string> {
  const files = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const names = new Set<string>();
  for (const file of files) {
    for (const [, specifier] of readFileSync(join(ROOT, 'src', file), 'utf8').matchAll(SPECIFIER)) {
      const parts = specifier!.split('/');
      names.add(specifier!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  return names;
}

describe('package.json dependencies', () => {
  // A deployment installs `dependencies` alone: one that only tests, the simulators or the benches
  // use ships for nothing (and widens what a production install pulls in).
  it('lists only packages the deployed code under src/ imports; the rest are devDependencies', () => {
    const { dependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const used = packagesImportedBySrc();
    expect(Object.keys(dependencies).filter((name) => !used.has(name))).toEqual([]);
  });
});
