/**
 * `npm run schema`: writes connector.schema.json, the JSON Schema editors use for connector.json,
 * generated from the same zod schema that validates the file at start-up.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { connectorJsonSchema } from '../src/core/connector';

const target = resolve(process.argv[2] ?? 'connector.schema.json');
writeFileSync(target, `${JSON.stringify(connectorJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target}\n`);
