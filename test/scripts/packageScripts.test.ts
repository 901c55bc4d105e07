import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');

describe('package.json scripts', () => {
  // A script that runs `node dist/x.js` with no x.ts behind it fails only when someone runs it.
  it('has a source file behind every `node dist/…` script', () => {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    const missing = Object.entries(scripts)
      .map(([name, command]) => [name, /node dist\/(\S+)\.js/.exec(command)?.[1]] as const)
      .filter(([, target]) => target !== undefined && !existsSync(join(ROOT, `${target}.ts`)))
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });
});
