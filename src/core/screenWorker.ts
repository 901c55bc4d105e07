/**
 * The checks a valid worker passes before it may be written, shared by a cycle and a resync:
 * the hybrid scope, safety rule 3 (not also in the cloud-only scope), and no personal email in
 * one of the organisation's own domains. Null when the worker may go on to Graph.
 */
import type { ConnectorConfig } from './connector';
import type { Outcome } from './outcome';
import type { AttributeValue } from './ports';
import { scopeOf, type ScopeVerdict, whyOutOfScope } from './scope';
import { isBlockedDomain, type Worker } from './worker';

export function screenWorker(
  connector: Pick<ConnectorConfig, 'scope' | 'cloudOnlyScope' | 'guards'>,
  worker: Worker,
  verdict: ScopeVerdict = scopeOf(connector, worker.attributes),
): Outcome | null {
  const { workerId } = worker;
  if (verdict === 'outOfScope') return outOfScopeOutcome(connector, workerId, worker.attributes);
  if (verdict === 'bothScopes') {
    return {
      code: 'conflict',
      workerId,
      reason: 'inBothScopes',
      detail: 'the worker matches both scope and cloudOnlyScope; neither connector may write it',
    };
  }
  const email = worker.fields.personalEmail;
  if (email && isBlockedDomain(email, connector.guards.blockedEmailDomains)) {
    return {
      code: 'rejected',
      workerId,
      reason: 'blockedEmailDomain',
      detail: "the personal email is in one of the organisation's own domains: no alternate channel",
    };
  }
  return null;
}

/** `outOfScope`, naming the clause and the value that kept the worker out. */
export function outOfScopeOutcome(
  connector: Pick<ConnectorConfig, 'scope'>,
  workerId: string,
  attributes: Readonly<Record<string, AttributeValue>>,
): Outcome {
  return { code: 'outOfScope', workerId, reason: 'notInScope', detail: whyOutOfScope(connector.scope, attributes) };
}
