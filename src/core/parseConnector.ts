/** The connector file, parsed once at start-up: every problem listed with its JSON path. */
import { type ConnectorConfig, connectorSchema } from './connector';
import { AppError } from './errors';

/** Parses a connector document; the error lists every problem with its JSON path. */
export function parseConnector(document: unknown, origin = 'connector file'): ConnectorConfig {
  const result = connectorSchema.safeParse(document);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  - ${formatPath(issue.path)}: ${issue.message}`);
  throw new AppError('CONFIG.INVALID_CONNECTOR', `Invalid ${origin} (CONNECTOR_CONFIG):\n${problems.join('\n')}`);
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
    .join('')
    .replace(/^\./, '');
}
