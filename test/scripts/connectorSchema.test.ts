import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectorJsonSchema } from '../../src/core/connector';

type SchemaNode = { [key: string]: unknown; properties?: Record<string, SchemaNode>; description?: string };

/** The JSON path of every property in a JSON Schema that has no description (what an editor shows on hover). */
function undescribed(node: unknown, path = ''): string[] {
  if (!node || typeof node !== 'object') return [];
  const schema = node as SchemaNode;
  const own = Object.entries(schema.properties ?? {}).flatMap(([name, child]) => [
    ...(child.description ? [] : [`${path}.${name}`]),
    ...undescribed(child, `${path}.${name}`),
  ]);
  const nested = ['items', 'anyOf', 'oneOf', 'allOf', 'additionalProperties'].flatMap((key) => {
    const child = schema[key];
    return Array.isArray(child) ? child.flatMap((c) => undescribed(c, path)) : undescribed(child, path);
  });
  return [...own, ...nested];
}

describe('connector.schema.json', () => {
  it('is the schema generated from the zod schema (run `npm run schema` after changing it)', () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '..', '..', 'connector.schema.json'), 'utf8'));
    expect(committed).toEqual(connectorJsonSchema());
  });

  it('explains every property, so an editor says on hover what each one does', () => {
    expect(undescribed(connectorJsonSchema())).toEqual([]);
  });

  it('finds a property without a description (the check can fail)', () => {
    expect(undescribed({ properties: { a: { description: 'x', properties: { b: { type: 'string' } } } } })).toEqual([
      '.a.b',
    ]);
  });
});
