/**
 * The one result every worker gets in every cycle (docs/design.md "Outcomes").
 * Outcomes are values: the pipeline returns them, it does not throw them.
 */
export const OUTCOME_CODES = [
  'written',
  'unchanged',
  'outOfScope',
  'rejected',
  'escrowed',
  'expired',
  'conflict',
  'denied',
  'held',
  'failed',
] as const;

export type OutcomeCode = (typeof OUTCOME_CODES)[number];

export type OutcomeCounts = Record<OutcomeCode, number>;

/** A property change, with personal data already masked for reporting. */
export interface ChangeView {
  property: string;
  before: unknown;
  after: unknown;
}

export interface Outcome {
  code: OutcomeCode;
  workerId: string;
  /** Short machine-readable reason (`notFound`, `softDeleted`, `duplicateEmployeeId`, …). */
  reason?: string;
  /** Human-readable detail; never holds a personal email in full. */
  detail?: string;
  /** Entra object id of the matched user, when there was exactly one. */
  userId?: string;
  /** The planned or applied diff, masked. */
  changes?: ChangeView[];
  /**
   * The worker's recorded outcome already said this (repeatedOutcome.ts): the run counts it, but
   * nobody needs to be told again, so it sends no per-worker telemetry event.
   */
  repeated?: true;
}

export function emptyCounts(): OutcomeCounts {
  return Object.fromEntries(OUTCOME_CODES.map((code) => [code, 0])) as OutcomeCounts;
}

export function isOutcomeCode(value: unknown): value is OutcomeCode {
  return typeof value === 'string' && (OUTCOME_CODES as readonly string[]).includes(value);
}

/** Outcomes after which an unchanged worker is not enqueued again (docs/design.md "Details of the contract"). */
export const SETTLED_OUTCOMES: ReadonlySet<OutcomeCode> = new Set(['written', 'unchanged', 'denied', 'expired']);

/** Outcome reasons that count as drift in a run's figures: rewritten once, or left to Entra (drift.ts). */
export const DRIFT_REASONS: ReadonlySet<string> = new Set(['drift', 'overwrittenInEntra']);
