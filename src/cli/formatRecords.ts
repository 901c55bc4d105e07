/** Human layouts of `check`, `runs` and `status` (their `--json` forms print the values as they are). */
import type { CheckReport } from '../app/check/checkLine';
import { OUTCOME_CODES, type OutcomeCode } from '../core/outcome';
import type { RunListing } from '../core/runListing';
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
    // Every worker's outcome, planning's and the settled jobs' together; `--json` keeps them apart.
    const all = (code: OutcomeCode) => run.counts[code] + (run.settled?.counts[code] ?? 0);
    const counts = OUTCOME_CODES.filter((code) => all(code) > 0).map((code) => `${code} ${all(code)}`);
    // A held run's id is what APPROVE_HELD_CYCLE takes.
    const flags = [
      jobsOf(run),
      run.stopped ? `STOPPED: ${run.stopped}` : '',
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

/** How far the run's jobs are: all settled, or how many still wait in the queue. */
function jobsOf(run: RunRecord): string {
  if (run.enqueued === 0 || !run.settled) return run.enqueued > 0 ? `${run.enqueued} jobs` : '';
  const waiting = run.enqueued - run.settled.jobs;
  return waiting > 0
    ? `${run.settled.jobs}/${run.enqueued} jobs settled, ${waiting} queued`
    : `${run.enqueued} jobs settled`;
}

/** `runs <runId>`: the run in one line, then its workers grouped by outcome. */
export function formatRunListing(listing: RunListing): string {
  const lines = [
    listing.run ? formatRuns([listing.run]).split('\n')[1]! : `run ${listing.runId} (planning not recorded yet)`,
  ];
  lines[0] = `${listing.runId}  ${lines[0]!.trim()}`;
  if (listing.workers.length === 0) {
    lines.push(
      listing.outcome ? `no worker with outcome ${listing.outcome} in this run` : 'no worker recorded for this run',
    );
    return lines.join('\n');
  }
  const codes = [...OUTCOME_CODES, 'superseded' as const].filter((code) =>
    listing.workers.some((w) => w.code === code),
  );
  const width = Math.max(...listing.workers.map((w) => w.workerId.length));
  for (const code of codes) {
    const workers = listing.workers.filter((w) => w.code === code);
    lines.push('', `${code} (${workers.length})`);
    for (const w of workers)
      lines.push(
        `  ${w.workerId.padEnd(width)}  ${[w.reason, w.detail, w.userId ? `user ${w.userId}` : ''].filter(Boolean).join('  ')}`.trimEnd(),
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
    lines.push(`  verified      ${view.verifiedAt ?? 'never checked against Graph by a job'}`);
  }
  if (view.planned) lines.push(`  planned       in run ${view.planned.runId}, job queued (no outcome yet)`);
  if (view.history && view.history.length > 1) {
    lines.push('  history       newest first');
    for (const h of view.history)
      lines.push(`    ${h.at}  ${h.outcome}${h.reason ? ` (${h.reason})` : ''}  ${h.runId}`);
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
