/**
 * The requests the writer must never send (safety rule 1): creating a user, deleting anything,
 * restoring a deleted item. Tests and the demo check the simulator's log with this one predicate.
 */
import type { GraphRequestLogEntry, GraphSimulator } from './types';

export function isDangerousRequest(request: Pick<GraphRequestLogEntry, 'method' | 'path'>): boolean {
  return (
    (request.method === 'POST' && /^\/users\/?$/i.test(request.path)) ||
    request.method === 'DELETE' ||
    request.path.toLowerCase().includes('/restore')
  );
}

export function dangerousRequests(graph: Pick<GraphSimulator, 'requests'>): GraphRequestLogEntry[] {
  return graph.requests.filter(isDangerousRequest);
}
