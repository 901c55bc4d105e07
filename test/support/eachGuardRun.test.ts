/** The guard as a developer meets it: vitest run over files with a vacuous row and with an empty table fails. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('fails the run on a row that asserts nothing and on an empty table, and passes the real row', () => {
  const root = join(__dirname, '..', '..');
  const run = spawnSync(
    process.execPath,
    [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/support/fixtures/vitest.fixture.mts'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
  );
  const output = run.stdout + run.stderr;
  expect(run.status, output).toBe(1);
  expect(output).toMatch(/✓ .*ids kept/);
  expect(output).toMatch(/× .*ids vacuous/);
  expect(output).toContain('the row "vacuous" of "ids %s" made no assertion');
  expect(output).toContain('it.each "%s is rejected" has an empty table');
});
