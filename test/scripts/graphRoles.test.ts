import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compiledGraphRoles, GRAPH_ROLES_COPY } from '../../scripts/writeGraphRoles';

const ROOT = join(__dirname, '..', '..');

describe('infra/graph-roles.cjs', () => {
  it('is src/core/mappingTargets.ts compiled (run `npm run infra:roles` after changing it)', () => {
    expect(readFileSync(join(ROOT, GRAPH_ROLES_COPY), 'utf8')).toBe(compiledGraphRoles(ROOT));
  });
});
