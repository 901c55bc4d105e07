/**
 * From a worker's fields to the target state, and from the user's current state to the one
 * PATCH that makes it so. Comparison is case-insensitive for emails, so casing never churns writes.
 */
import { createHmac } from 'node:crypto';
import type { Mapping } from './connector';
import { hashKey } from './hashKey';
import { maskValue } from './mask';
import type { ChangeView } from './outcome';
import type { AuthenticationEmailMethod, DirectoryUser } from './ports';

/** Desired value per mapping target; null where the source field is empty. */
export type DesiredState = Record<string, string | null>;

export function desiredStateOf(
  fields: Readonly<Record<string, string | null>>,
  mappings: readonly Mapping[],
): DesiredState {
  const desired: DesiredState = {};
  for (const mapping of mappings) desired[mapping.target] = fields[mapping.source] ?? null;
  return desired;
}

/**
 * Keyed hash (HMAC-SHA256, src/core/hashKey.ts) of text that holds a personal email, shortened to
 * 132 bits: enough to tell values apart, and useless to a reader of the tables without the key.
 * node:crypto is the platform, not an SDK: the core stays free of Azure and HTTP.
 */
function keyedHash(text: string): string {
  return createHmac('sha256', hashKey()).update(text, 'utf8').digest('base64url').slice(0, 22);
}

/**
 * Stable keyed hash of what the connector wants for a worker, mapping rules included: a config
 * change re-plans. A queue message carries it, and the job runner checks it against the fields.
 */
export function desiredHash(desired: DesiredState, mappings: readonly Mapping[]): string {
  const canonical = mappings.map((m) => {
    const value = desired[m.target] ?? null;
    // Emails compare without case (as planWrite does); other values keep theirs, since Graph does.
    return [
      m.target,
      m.mode ?? '',
      m.onSourceEmpty,
      EMAIL_TARGETS.has(m.target) ? normalise(value) : (value?.trim() ?? null),
    ];
  });
  return keyedHash(JSON.stringify(canonical));
}

/** Keyed hash of one written value, kept in the ledger so `merge` can later remove exactly what it added. */
export function valueHash(value: string): string {
  return keyedHash(value.trim().toLowerCase());
}

const EMAIL_TARGETS: ReadonlySet<string> = new Set(['otherMails', 'authenticationEmail']);

function normalise(value: string | null): string | null {
  return value === null ? null : value.trim().toLowerCase();
}

const sameText = (a: string | null | undefined, b: string | null | undefined): boolean =>
  normalise(a ?? null) === normalise(b ?? null);

export interface WritePlan {
  /** The body of the one PATCH /users/{id}; empty when the user already holds the desired values. */
  patch: Record<string, unknown>;
  /** The SSPR email method to set, when mapped and different. */
  authenticationEmail: { existingId: string | null; emailAddress: string } | null;
  /** What changes, masked for reporting. */
  changes: ChangeView[];
  /** Hashes of the values this plan writes, per target (merged into the ledger's). */
  writtenHashes: Record<string, string>;
}

/**
 * Hashes of the desired values that are already in place, per target: what the connector
 * manages for this worker even when no PATCH was needed (say, its own write whose record was lost).
 */
export function claimedHashes(desired: DesiredState, mappings: readonly Mapping[]): Record<string, string> {
  const claimed: Record<string, string> = {};
  for (const mapping of mappings) {
    const value = desired[mapping.target];
    if (value !== null && value !== undefined) claimed[mapping.target] = valueHash(value);
  }
  return claimed;
}

export function isEmptyPlan(plan: WritePlan): boolean {
  return Object.keys(plan.patch).length === 0 && plan.authenticationEmail === null;
}

export interface PlanInput {
  desired: DesiredState;
  user: DirectoryUser;
  mappings: readonly Mapping[];
  /** Current SSPR email method; only read when authenticationEmail is mapped. */
  authenticationEmail?: AuthenticationEmailMethod | null;
  /** Hashes of what this connector wrote before (ledger). */
  previouslyWritten?: Readonly<Record<string, string>>;
  /** Hashes of every otherMails value the connector added (ledger, write-ahead records included): `merge` retires them all. */
  retired?: readonly string[];
}

export function planWrite(input: PlanInput): WritePlan {
  const plan: WritePlan = { patch: {}, authenticationEmail: null, changes: [], writtenHashes: {} };
  for (const mapping of input.mappings) {
    const want = input.desired[mapping.target] ?? null;
    if (mapping.target === 'otherMails') planOtherMails(plan, mapping, want, input);
    else if (mapping.target === 'authenticationEmail')
      planAuthenticationEmail(plan, want, input.authenticationEmail ?? null);
    else planScalar(plan, mapping, want, currentScalar(input.user, mapping.target));
  }
  return plan;
}

function currentScalar(user: DirectoryUser, target: string): string | null {
  if (target === 'usageLocation') return user.usageLocation;
  const value = user.extensions[target];
  return value === undefined || value === null ? null : String(value);
}

function record(plan: WritePlan, property: string, before: unknown, after: unknown): void {
  plan.changes.push({ property, before: maskValue(before), after: maskValue(after) });
}

function planScalar(plan: WritePlan, mapping: Mapping, want: string | null, current: string | null): void {
  if (want === null) {
    if (mapping.onSourceEmpty === 'clear' && current !== null) {
      plan.patch[mapping.target] = null;
      record(plan, mapping.target, current, null);
    }
    return;
  }
  if (want === current) return;
  plan.patch[mapping.target] = want;
  plan.writtenHashes[mapping.target] = valueHash(want);
  record(plan, mapping.target, current, want);
}

/**
 * otherMails: a PATCH replaces the whole collection. `replace` makes it exactly [email];
 * `merge` keeps the other values but swaps out the one this connector wrote before, so an old
 * personal mailbox does not stay a password-reset channel after the worker changed it.
 */
function planOtherMails(plan: WritePlan, mapping: Mapping, want: string | null, input: PlanInput): void {
  const current = input.user.otherMails;
  const previous = input.previouslyWritten?.otherMails;
  const ours = new Set(input.retired ?? []);
  if (previous !== undefined) ours.add(previous);
  let next: string[];
  if (mapping.mode === 'merge') {
    const kept = current.filter((value) => !ours.has(valueHash(value)) || sameText(value, want));
    if (want === null) {
      if (mapping.onSourceEmpty !== 'clear') return;
      next = kept;
    } else {
      next = kept.some((value) => sameText(value, want)) ? kept : [...kept, want];
    }
  } else if (want === null) {
    if (mapping.onSourceEmpty !== 'clear') return;
    next = [];
  } else {
    next = current.length === 1 && sameText(current[0], want) ? current : [want];
  }
  const unchanged = next.length === current.length && next.every((value, index) => value === current[index]);
  if (unchanged) return;
  plan.patch.otherMails = next;
  if (want !== null) plan.writtenHashes.otherMails = valueHash(want);
  record(plan, 'otherMails', current, next);
}

function planAuthenticationEmail(
  plan: WritePlan,
  want: string | null,
  current: AuthenticationEmailMethod | null,
): void {
  // Clearing a sign-in method is refused by the connector schema: an empty source keeps it.
  if (want === null || sameText(current?.emailAddress, want)) return;
  plan.authenticationEmail = { existingId: current?.id ?? null, emailAddress: want };
  plan.writtenHashes.authenticationEmail = valueHash(want);
  record(plan, 'authenticationEmail', current?.emailAddress ?? null, want);
}
