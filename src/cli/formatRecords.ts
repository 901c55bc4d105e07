/** Human layouts of `check`, `runs` and `status` (their `--json` forms print the values as they are). */
import type { CheckReport } from '../app/check/checkLine';
import { OUTCOME_CODES } from '../core/outcome';
import type { RunRecord } from '../core/ports';
import type { WorkerStatusView } from '../core/workerStatus';
import { formatChange } from './format';
import { formatDuration } from './progress';

export function formatCheck(report: CheckReport): string {
  const width = Math.max(...report.checks.map((line) => line.check.length));
  const lines: string[] = [];
  for (const line of report.checks) {
    lines.push(
      `${line.status.toUpperCase().padEnd(4)}  ${line.check.padEnd(width)}  ${line.detail.replace(/\n\s*/g, ' ')}`,
    );
    if (line.fix) lines.push(`${' '.repeat(6 + width)}  fix: ${line.fix}`);
  }
  const failures = report.checks.filter((line) => line.status === 'fail').length;
  const warnings = report.checks.filter((line) => line.status === 'warn').length;
  lines.push('');
  lines.push(
    report.ok
      ? `All checks passed: the next cycle can run${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'}: read the fix)` : ''}.`
      : `${failures} check${failures === 1 ? '' : 's'} failed (exit ${report.exitCode}: ${report.exitCode === 2 ? 'configuration' : 'a service could not be reached'}).`,
  );
  return lines.join('\n');
}

export function formatRuns(runs: readonly RunRecord[]): string {
  if (runs.length === 0) return 'no runs recorded yet';
  const lines = [
    `${'kind'.padEnd(6)}  ${'started (UTC)'.padEnd(19)}  ${'took'.padStart(10)}  ${'Graph'.padStart(6)}  ${'429s'.padStart(5)}  outcomes`,
  ];
  for (const run of runs) {
    const counts = OUTCOME_CODES.filter((code) => run.counts[code] > 0).map((code) => `${code} ${run.counts[code]}`);
    // A held run's id is what APPROVE_HELD_CYCLE takes.
    const flags = [
      run.dryRun ? 'dry run' : '',
      run.held ? `HELD ${run.runId}` : '',
      run.approved ? 'approved' : '',
      run.requestedBy ? `by ${run.requestedBy.name}` : '',
    ].filter(Boolean);
    lines.push(
      [
        run.kind.padEnd(6),
        run.startedAt.toISOString().slice(0, 19).replace('T', ' '),
        formatDuration(run.durationMs / 1000).padStart(10),
        String(run.graphRequests).padStart(6),
        String(run.graphThrottled).padStart(5),
        `${counts.join(', ') || 'no workers'}${flags.length ? `  [${flags.join(', ')}]` : ''}`,
      ].join('  '),
    );
  }
  return lines.join('\n');
}

export function formatStatus(view: WorkerStatusView): string {
  if (!view.known) return `worker ${view.workerId}: not known to the ledger or escrow (no cycle has seen it yet)`;
  const lines = [`worker ${view.workerId}`];
  if (view.lastOutcome) {
    lines.push(
      `  last outcome  ${view.lastOutcome}${view.reason ? ` (${view.reason})` : ''} at ${view.updatedAt ?? '?'} in ${view.lastRun ?? '?'}`,
    );
    if (view.detail) lines.push(`  detail        ${view.detail}`);
    if (view.userId) lines.push(`  Entra user    ${view.userId}`);
    if (view.verifiedAt) lines.push(`  verified      ${view.verifiedAt}`);
  }
  if (view.lastChanges && view.lastChanges.length > 0) {
    lines.push(
      `  last written  ${view.lastOutcome === 'written' ? (view.updatedAt ?? '') : `before ${view.updatedAt ?? '?'} (the ledger keeps the last write's changes, not its time)`}`,
    );
    for (const change of view.lastChanges) lines.push(`    ${formatChange(change)}`);
  } else {
    lines.push('  last written  nothing recorded');
  }
  lines.push(
    view.escrow
      ? `  escrow        ${view.escrow.reason} since ${view.escrow.firstSeen}, ${view.escrow.attempts} attempt(s), next ${view.escrow.nextAttempt}`
      : '  escrow        not escrowed',
  );
  return lines.join('\n');
}
