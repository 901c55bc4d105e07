/** Reads and validates the connector file named by CONNECTOR_CONFIG. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConnector, type ConnectorConfig } from '../core/connector';
import { AppError } from '../core/errors';

export function loadConnector(path: string): ConnectorConfig {
  const fullPath = resolve(path);
  let text: string;
  try {
    text = readFileSync(fullPath, 'utf8');
  } catch (err) {
    throw new AppError('CONFIG.INVALID_CONNECTOR', `CONNECTOR_CONFIG: cannot read the connector file ${fullPath} (${(err as NodeJS.ErrnoException).code ?? 'error'}); copy connector.example.json to connector.json or set CONNECTOR_CONFIG`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new AppError('CONFIG.INVALID_CONNECTOR', `CONNECTOR_CONFIG: ${fullPath} is not valid JSON: ${(err as Error).message}`);
  }
  return parseConnector(document, `connector file ${fullPath}`);
}
