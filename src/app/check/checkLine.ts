/**
 * One line of `attribute-writer check`: what was checked, pass / fail / skip, what was seen,
 * and for a failure the fix. A failure is either configuration (exit 2: a setting, the
 * connector file, a permission) or a service that could not be reached (exit 3).
 */
/** `warn`: the next cycle can run, but likely not as meant (the fix says why); the exit code stays 0. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';
export type FailureKind = 'configuration' | 'unreachable';

export interface CheckLine {
  check: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
  failure?: FailureKind;
}

export interface CheckReport {
  ok: boolean;
  /** 0 all passed; 2 a configuration failure (it wins: it is often why a service looks down); 3 a service unreachable. */
  exitCode: 0 | 2 | 3;
  checks: CheckLine[];
}

export const pass = (check: string, detail: string): CheckLine => ({ check, status: 'pass', detail });
export const skip = (check: string, detail: string): CheckLine => ({ check, status: 'skip', detail });
export const warn = (check: string, detail: string, fix: string): CheckLine => ({ check, status: 'warn', detail, fix });
export const fail = (check: string, failure: FailureKind, detail: string, fix: string): CheckLine => ({
  check,
  status: 'fail',
  failure,
  detail,
  fix,
});

export function reportOf(checks: CheckLine[]): CheckReport {
  const failures = checks.filter((line) => line.status === 'fail');
  const exitCode = failures.length === 0 ? 0 : failures.some((line) => line.failure === 'configuration') ? 2 : 3;
  return { ok: failures.length === 0, exitCode, checks };
}
