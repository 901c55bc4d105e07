/** Human-readable rendering of run summaries and escrow listings (masked: outcomes are masked at source). */
import { maskValue } from '../core/mask';
import { OUTCOME_CODES, type ChangeView, type Outcome } from '../core/outcome';
import type { EscrowEntry } from '../core/ports';
import type { RunSummary } from '../app/operations';

const APPROVED_WITH = { flag: '--approve', setting: 'APPROVE_HELD_CYCLE', route: 'the approve route' } as const;

export function formatSummary(summary: RunSummary, options: { examples?: number } = {}): string {
  const lines: string[] = [];
  const flags = [
    summary.dryRun ? 'dry run: nothing written' : '',
    summary.held ? 'HELD by the mass-change guard' : '',
    summary.wouldBeHeld ? 'a real cycle would be HELD by the mass-change guard' : '',
    summary.approvedBy ? `approved (${APPROVED_WITH[summary.approvedBy]})` : '',
  ]
    .filter(Boolean)
    .join(', ');
  lines.push(`${summary.kind} ${summary.runId}${flags ? ` (${flags})` : ''}`);
  if (summary.read)
    lines.push(
      `  Workday: ${summary.read} read, ${summary.workersRead ?? 0} workers in ${seconds(summary.workdayReadMs)}`,
    );
  if (summary.changes !== undefined)
    lines.push(`  planned changes: ${summary.changes}, jobs enqueued: ${summary.enqueued}`);
  lines.push(`  outcomes (${summary.workers} workers):`);
  for (const code of OUTCOME_CODES) {
    if (summary.counts[code] > 0) lines.push(`    ${code.padEnd(11)} ${String(summary.counts[code]).padStart(7)}`);
  }
  const g = summary.graph;
  lines.push(
    `  Graph: ${g.httpRequests} HTTP requests (${g.subRequests} operations), ${g.writes} writes, ${g.throttled} throttled`,
  );
  if (summary.superseded > 0)
    lines.push(`  superseded: ${summary.superseded} jobs wrote nothing (another run planned those workers anew)`);
  if (summary.drift > 0)
    lines.push(
      `  drift: ${summary.drift} workers hold a value Entra replaced after this connector wrote it (docs/design.md, Drift)`,
    );
  if (summary.heldReason) lines.push(`  held: ${summary.heldReason}`);
  if (summary.escrow)
    lines.push(
      summary.dryRun
        ? // A prediction: the escrow table is untouched until the real run (then `escrow` lists these).
          `  escrow after a real run: ${summary.escrow.backlog} would wait (the escrow table is unchanged)`
        : `  escrow: ${summary.escrow.backlog} waiting, oldest ${summary.escrow.oldestAgeMinutes} min`,
    );
  lines.push(`  took ${seconds(summary.durationMs)}`);
  const examples = summary.examples.slice(0, options.examples ?? 20);
  if (examples.length > 0) {
    lines.push('  examples:');
    for (const outcome of examples) lines.push(`    ${formatOutcome(outcome)}`);
  }
  return lines.join('\n');
}

export function formatOutcome(outcome: Outcome): string {
  const parts = [`${outcome.code.padEnd(11)} ${(outcome.workerId || '(no id)').padEnd(16)}`];
  if (outcome.reason) parts.push(outcome.reason);
  if (outcome.changes && outcome.changes.length > 0) parts.push(outcome.changes.map(formatChange).join('; '));
  else if (outcome.detail) parts.push(outcome.detail);
  return parts.join('  ');
}

export function formatChange(change: ChangeView): string {
  return `${change.property}: ${show(change.before)} → ${show(change.after)}`;
}

function show(value: unknown): string {
  const masked = maskValue(value);
  return Array.isArray(masked) ? `[${masked.join(', ')}]` : masked === null ? 'null' : String(masked);
}

export function formatEscrow(entries: EscrowEntry[], now: Date): string {
  if (entries.length === 0) return 'escrow is empty';
  const rows = entries.map((e) => {
    const age = Math.round((now.getTime() - e.firstSeen.getTime()) / 60_000);
    return `  ${e.workerId.padEnd(16)} ${e.reason.padEnd(11)} age ${String(age).padStart(6)} min  attempts ${String(e.attempts).padStart(3)}  next ${e.nextAttempt.toISOString()}`;
  });
  return [`${entries.length} escrowed worker(s):`, ...rows].join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
