/** Reads and validates the connector file named by CONNECTOR_CONFIG. */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { ConnectorConfig } from '../core/connector';
import { parseConnector } from '../core/parseConnector';
import { AppError } from '../core/errors';
import { packageRoot } from './packageRoot';

/**
 * A relative CONNECTOR_CONFIG is looked up in the working directory, then in the app's root (the
 * folder with package.json), where `azd deploy` puts it whatever the host's working directory.
 */
function locate(path: string): string {
  const fromCwd = resolve(path);
  if (isAbsolute(path) || existsSync(fromCwd)) return fromCwd;
  const fromRoot = join(packageRoot(), path);
  return existsSync(fromRoot) ? fromRoot : fromCwd;
}

export function loadConnector(path: string): ConnectorConfig {
  const fullPath = locate(path);
  let text: string;
  try {
    text = readFileSync(fullPath, 'utf8');
  } catch (err) {
    throw new AppError(
      'CONFIG.INVALID_CONNECTOR',
      `CONNECTOR_CONFIG: cannot read the connector file ${fullPath} (${(err as NodeJS.ErrnoException).code ?? 'error'}); copy connector.example.json to connector.json or set CONNECTOR_CONFIG`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new AppError(
      'CONFIG.INVALID_CONNECTOR',
      `CONNECTOR_CONFIG: ${fullPath} is not valid JSON: ${(err as Error).message}`,
    );
  }
  return parseConnector(document, `connector file ${fullPath}`);
}
