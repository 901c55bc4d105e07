/** The suite's one table: a row per round, a total, then what was injected. */
import { WRONG_FIGURES, type RoundResult, type SuiteResult } from './suite';

/** Figures that describe the world after a round, not events during it. */
const STATE_FIGURES = new Set<keyof RoundResult>([
  'withoutOutcome',
  'otherMailsWrong',
  'usageLocationWrong',
  'escrowLost',
  'escrowLeft',
  'queueLeft',
  'notNewestAtPhase',
  'notNewestPlan',
  'falseClaimsAtPhase',
  'falseClaims',
  'watermarkAhead',
]);

const COLUMNS: Array<[keyof RoundResult, string]> = [
  ['round', '#'],
  ['kind', 'round'],
  ['changes', 'changes'],
  ['patches', 'PATCHes'],
  ['withoutOutcome', 'no outcome'],
  ['otherMailsWrong', 'otherMails wrong'],
  ['usageLocationWrong', 'usageLoc wrong'],
  ['supersededPatches', 'superseded PATCH'],
  ['escrowLost', 'escrow lost'],
  ['escrowLeft', 'escrow left'],
  ['readNotClean', 'read not clean'],
  ['poisonWrong', 'poison wrong'],
  ['hung', 'hung'],
  ['queueLeft', 'queue left'],
  ['notConverged', 'not converged'],
  ['notNewestAtPhase', 'not newest plan (phase)'],
  ['notNewestPlan', 'not newest plan'],
  ['falseClaimsAtPhase', 'false claim (phase)'],
  ['falseClaims', 'false claim'],
  ['watermarkAhead', 'watermark ahead'],
  ['duplicateWrites', 'dup writes'],
  ['latePatches', 'late writes'],
  ['lateOverNewer', 'over newer'],
  ['lateSeen', 'seen by jobs'],
  ['lateRepaired', 'repaired'],
  ['skewedCli', 'skewed CLI'],
  ['seconds', 's'],
  ['exits', 'exits (fault | converge)'],
];

/** The total of each number column: events summed, states from their worst round. */
function totals(result: SuiteResult): Map<keyof RoundResult, number> {
  const sums = new Map<keyof RoundResult, number>();
  for (const [key] of COLUMNS) {
    if (typeof result.rounds[0]?.[key] !== 'number' || key === 'round' || key === 'seconds') continue;
    const values = result.rounds.map((r) => r[key] as number);
    // A state (a wrong user, a lost entry) persists from round to round: its worst round, not a sum.
    sums.set(key, STATE_FIGURES.has(key) ? Math.max(...values) : values.reduce((a, b) => a + b, 0));
  }
  return sums;
}

export function wrongFigures(result: SuiteResult): number {
  const sums = totals(result);
  return WRONG_FIGURES.reduce((sum, key) => sum + (sums.get(key) ?? 0), 0);
}

export function formatReport(result: SuiteResult, header: string): string {
  const total: Record<string, string | number> = { round: '', kind: 'TOTAL', changes: '', exits: '¹' };
  for (const [key, value] of totals(result)) total[key] = value;
  const rows = [...result.rounds.map((r) => r as unknown as Record<string, string | number>), total];
  const cells = [
    COLUMNS.map(([, title]) => title),
    ...rows.map((row) => COLUMNS.map(([key]) => String(row[key] ?? ''))),
  ];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) =>
    `| ${values.map((v, i) => (i <= 2 || i === values.length - 1 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join(' | ')} |`;
  const table = [
    line(cells[0]!),
    `|${widths.map((w, i) => (i <= 2 || i === widths.length - 1 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...cells.slice(1).map(line),
  ];
  const faults = result.faults.map(([kind, n]) => `  ${String(n).padStart(6)}  ${kind}`);
  const wrong = wrongFigures(result);
  return [
    header,
    '',
    ...table,
    '',
    '¹ TOTAL: events summed over the rounds; states (no outcome, wrong, escrow, queue left, not newest plan, false claim, watermark ahead) from their worst round.',
    '  (phase): right after the fault phase, before convergence. late writes (PATCHes of a stale value) / over newer (landed after the newer value) / seen by jobs (a job learned its write was late and wrote the newest plan again) / repaired (the user holds the newest value at the phase end) / skewed CLI (its exit): instances rounds only, shown, not judged.',
    '',
    'Faults injected:',
    ...faults,
    '',
    `${wrong === 0 ? 'OK' : 'WRONG'}: ${wrong} wrong figure(s) in ${result.rounds.length} rounds, ${result.seconds} s.`,
  ].join('\n');
}
