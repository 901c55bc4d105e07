/**
 * The fault policy in front of the Graph simulator. A share of requests (20 % by default) fails
 * the way Graph's front ends fail: 429 with and without Retry-After, 503, 504, a request held
 * until the connection drops (a timeout), a reset connection. Inside `$batch` single
 * sub-requests fail on their own (they are taken out before the simulator sees them, so a failed
 * sub-request never executed); the envelope itself can fail too. Armed, it kills the pipeline's
 * process right after a PATCH reached the simulator and before the answer gets back: exactly
 * "after the write, before the ledger write". With `latePatchRate`, chosen PATCHes are answered
 * late: 503 with a Retry-After of a few seconds (the client waits, then asks its guard again), or
 * held a few seconds before they reach Graph (a slow answer: the write lands late, after the guard).
 */
import { jsonResponse, type ProxiedRequest, type ProxiedResponse, type ProxyPolicy, type Verdict } from './proxy';
import type { FaultCounter } from './faultCounter';

export type GraphFaultKind = '429 Retry-After' | '429' | '503' | '504' | 'timeout' | 'reset';
const KINDS: GraphFaultKind[] = ['429 Retry-After', '429', '503', '504', 'timeout', 'reset'];
const SUB_KINDS: GraphFaultKind[] = ['429 Retry-After', '429', '503', '504'];
/** A held request is dropped after this long: the client sees the broken exchange a timeout ends in. */
const HOLD_MS = 1_500;
/** A late PATCH's 503 asks the client to come back after 2–4 s. */
const LATE_RETRY_AFTER_S = [2, 4] as const;
/** A slow PATCH is held 4–12 s before it reaches Graph: long enough for a newer plan's write to land first. */
const SLOW_PATCH_MS = [4_000, 12_000] as const;
/**
 * The longest a PATCH is held waiting for a newer write to the same user to land first (below the
 * client's 60 s request timeout, so the client still hears the answer).
 */
const OVERTAKEN_MAX_MS = 30_000;

export interface GraphFaultControl {
  /** Share of requests (and of sub-requests) that fail; 0 turns faults off. */
  rate: number;
  /** Kill the pipeline after this many more successful PATCHes (null: never). */
  killAfterPatches: number | null;
  /** Every PATCH to these user ids fails with 503 (a job that outlives its deliveries). */
  failingUsers: Set<string>;
  /** Share of PATCHes (plain or inside `$batch`) answered late: half 503 + Retry-After, half held before Graph. */
  latePatchRate: number;
  /**
   * Users whose data will change again: a late PATCH to one of them may be held until another
   * PATCH to the same user has landed (a newer plan's), so it lands after it, as a late write does.
   */
  overtakable: Set<string>;
  /** Called when a PATCH starts being held (the suite changes Workday's data meanwhile). */
  onSlowPatch?: () => void;
  /** Lets every held PATCH go on now (set by the policy). */
  releaseHeld?: () => void;
  onKill: () => void;
}

export function graphFaultPolicy(random: () => number, control: GraphFaultControl, counter: FaultCounter): ProxyPolicy {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const failsNow = (): boolean => control.rate > 0 && random() < control.rate;
  const overtaking = overtakenHolds(control);

  return (request) => {
    const isBatch = request.method === 'POST' && /\/\$batch(\?|$)/.test(request.url);
    const patchedUser = /^PATCH$/i.test(request.method) ? userOfPatch(request.url) : null;
    if (patchedUser && control.failingUsers.has(patchedUser)) {
      counter.add('graph: PATCH failing until poisoned');
      return { kind: 'answer', response: graphError('503', 0) };
    }
    const late = (user: string): Lateness => lateness(random, control, counter, user);
    if (!isBatch) {
      if (failsNow()) return plainFault(pick(KINDS), counter, 'graph: ');
      const forward: Verdict = {
        kind: 'forward',
        after: (response) => {
          if (patchedUser && ok(response.status)) overtaking.landed(patchedUser);
          return afterPatches(patchedUser !== null && ok(response.status) ? 1 : 0, control, counter);
        },
      };
      const answer = patchedUser ? late(patchedUser) : null;
      if (answer?.kind === 'retryAfter') return { kind: 'answer', response: graphError('503', answer.seconds) };
      // biome-ignore lint/suspicious/noThenProperty: `then` names the step after the delay in a fault plan, not a thenable.
      if (answer?.kind === 'slow') return { kind: 'delay', delayMs: answer.ms, then: forward };
      if (answer?.kind === 'overtaken') {
        const lost: Verdict = {
          kind: 'forward',
          after: (response) => {
            if (ok(response.status)) overtaking.landed(patchedUser as string);
            return { kind: 'reset' };
          },
        };
        return overtaking.hold([patchedUser as string]).then(() => (answer.answerLost ? lost : forward));
      }
      return forward;
    }
    if (control.rate > 0 && random() < control.rate / 4)
      return plainFault(pick(['503', '504', 'reset'] as const), counter, 'graph: $batch envelope ');
    return batchWithFailingItems(request, failsNow, () => pick(SUB_KINDS), control, counter, late, overtaking);
  };
}

type Lateness =
  | { kind: 'retryAfter'; seconds: number }
  | { kind: 'slow'; ms: number }
  | { kind: 'overtaken'; answerLost: boolean }
  | null;

/** Whether this PATCH is answered late, and how. */
function lateness(random: () => number, control: GraphFaultControl, counter: FaultCounter, user: string): Lateness {
  if (control.latePatchRate <= 0 || random() >= control.latePatchRate) return null;
  const between = ([low, high]: readonly [number, number]) => low + Math.floor(random() * (high - low + 1));
  const draw = random();
  if (draw < 1 / 3) {
    counter.add('graph: PATCH answered 503 with Retry-After (late)');
    return { kind: 'retryAfter', seconds: between(LATE_RETRY_AFTER_S) };
  }
  control.onSlowPatch?.();
  if (draw < 2 / 3 || !control.overtakable.has(user)) {
    counter.add('graph: PATCH held 4–12 s before it reached Graph (slow answer)');
    return { kind: 'slow', ms: between(SLOW_PATCH_MS) };
  }
  // Once per user: its retries are not held so again (the phase stays short).
  control.overtakable.delete(user);
  counter.add('graph: PATCH held until a newer PATCH to its user landed (at most 30 s)');
  // Half of them land and then lose their answer (a reset): the client cannot know the write landed.
  const answerLost = random() < 0.5;
  if (answerLost) counter.add('graph: answer to a held PATCH lost after it landed (reset)');
  return { kind: 'overtaken', answerLost };
}

interface OvertakenHolds {
  /** Resolves once each user got another PATCH through, or at the latest after OVERTAKEN_MAX_MS. */
  hold(users: readonly string[]): Promise<void>;
  landed(user: string): void;
}

function overtakenHolds(control: GraphFaultControl): OvertakenHolds {
  const waiting = new Map<string, Set<() => void>>();
  const releaseAll = () => {
    for (const waiters of [...waiting.values()]) for (const release of [...waiters]) release();
  };
  control.releaseHeld = releaseAll;
  const holdOne = (user: string) =>
    new Promise<void>((resolve) => {
      const waiters = waiting.get(user) ?? new Set<() => void>();
      waiting.set(user, waiters);
      const release = () => {
        clearTimeout(timer);
        waiters.delete(release);
        if (waiters.size === 0 && waiting.get(user) === waiters) waiting.delete(user);
        resolve();
      };
      const timer = setTimeout(release, OVERTAKEN_MAX_MS);
      waiters.add(release);
    });
  return {
    hold: async (users) => {
      await Promise.all(users.map(holdOne));
    },
    landed: (user) => {
      for (const release of [...(waiting.get(user) ?? [])]) release();
    },
  };
}

function plainFault(kind: GraphFaultKind, counter: FaultCounter, label: string): Verdict {
  counter.add(`${label}${kind}`);
  if (kind === 'timeout') return { kind: 'reset', delayMs: HOLD_MS };
  if (kind === 'reset') return { kind: 'reset' };
  return { kind: 'answer', response: graphError(kind, 1) };
}

interface BatchItem {
  id: string;
  method: string;
  url: string;
}

function batchWithFailingItems(
  request: ProxiedRequest,
  failsNow: () => boolean,
  kindOf: () => GraphFaultKind,
  control: GraphFaultControl,
  counter: FaultCounter,
  late: (user: string) => Lateness,
  overtaking: OvertakenHolds,
): Verdict | Promise<Verdict> {
  let body: { requests: BatchItem[] };
  try {
    body = JSON.parse(request.body.toString('utf8')) as { requests: BatchItem[] };
  } catch {
    return { kind: 'forward' };
  }
  const synthesized: Array<{ id: string; status: number; headers: Record<string, string>; body: unknown }> = [];
  // A slow PATCH holds the whole envelope it rides in (Graph answers a `$batch` once).
  let holdMs = 0;
  const overtakenUsers: string[] = [];
  let answerLost = false;
  const patchUsers = new Map<string, string>();
  const kept = body.requests.filter((item) => {
    const user = item.method.toUpperCase() === 'PATCH' ? userOfPatch(item.url) : null;
    if (user && control.failingUsers.has(user)) {
      counter.add('graph: PATCH failing until poisoned');
      synthesized.push(subError(item.id, '503', 0));
      return false;
    }
    if (user) patchUsers.set(item.id, user);
    const answer = user ? late(user) : null;
    if (answer?.kind === 'retryAfter') {
      synthesized.push(subError(item.id, '503', answer.seconds));
      return false;
    }
    if (answer?.kind === 'slow') holdMs = Math.max(holdMs, answer.ms);
    if (answer?.kind === 'overtaken' && user) overtakenUsers.push(user);
    if (answer?.kind === 'overtaken' && answer.answerLost) answerLost = true;
    if (!failsNow()) return true;
    const kind = kindOf();
    counter.add(`graph: $batch item ${kind}`);
    synthesized.push(subError(item.id, kind, 1));
    return false;
  });
  const patchIds = new Set(kept.filter((item) => item.method.toUpperCase() === 'PATCH').map((item) => item.id));
  if (kept.length === 0) return { kind: 'answer', response: jsonResponse(200, { responses: synthesized }) };
  const forwarded: ProxiedRequest = { ...request, body: Buffer.from(JSON.stringify({ ...body, requests: kept })) };
  const forward: Verdict = {
    kind: 'forward',
    request: forwarded,
    after: (response) => {
      let parsed: { responses?: Array<{ id: string; status: number }> };
      try {
        parsed = JSON.parse(response.body.toString('utf8')) as typeof parsed;
      } catch {
        return { kind: 'deliver' };
      }
      const landed = (parsed.responses ?? []).filter((item) => patchIds.has(item.id) && ok(item.status));
      for (const item of landed) overtaking.landed(patchUsers.get(item.id) ?? '');
      const patched = landed.length;
      const verdict = afterPatches(patched, control, counter);
      // The envelope landed; its answer is lost on the way back (every sub-request's with it).
      if (answerLost) return { kind: 'reset' };
      if (verdict.kind === 'reset' || synthesized.length === 0) return verdict;
      return {
        kind: 'deliver',
        response: withBody(response, { ...parsed, responses: [...(parsed.responses ?? []), ...synthesized] }),
      };
    },
  };
  // biome-ignore lint/suspicious/noThenProperty: `then` names the step after the delay in a fault plan, not a thenable.
  const delayed: Verdict = holdMs > 0 ? { kind: 'delay', delayMs: holdMs, then: forward } : forward;
  return overtakenUsers.length > 0 ? overtaking.hold(overtakenUsers).then(() => delayed) : delayed;
}

function afterPatches(
  patched: number,
  control: GraphFaultControl,
  counter: FaultCounter,
): { kind: 'deliver' } | { kind: 'reset' } {
  if (patched === 0 || control.killAfterPatches === null) return { kind: 'deliver' };
  control.killAfterPatches -= patched;
  if (control.killAfterPatches > 0) return { kind: 'deliver' };
  control.killAfterPatches = null;
  counter.add('kill: after PATCH, before ledger write');
  control.onKill();
  return { kind: 'reset' };
}

function userOfPatch(url: string): string | null {
  const match = /\/users\/([^/?]+)$/.exec(url.split('?')[0] ?? '');
  return match ? decodeURIComponent(match[1] ?? '') : null;
}

const ok = (status: number): boolean => status >= 200 && status < 300;

const ERROR_CODES: Record<string, [number, string]> = {
  '429 Retry-After': [429, 'TooManyRequests'],
  '429': [429, 'TooManyRequests'],
  '503': [503, 'serviceNotAvailable'],
  '504': [504, 'gatewayTimeout'],
};

function graphError(kind: GraphFaultKind, retryAfterSeconds: number): ProxiedResponse {
  const [status, code] = ERROR_CODES[kind] ?? [503, 'serviceNotAvailable'];
  const headers: Record<string, string> = kind === '429' ? {} : { 'Retry-After': String(retryAfterSeconds) };
  return jsonResponse(status, { error: { code, message: `Injected ${kind}.` } }, headers);
}

function subError(id: string, kind: GraphFaultKind, retryAfterSeconds: number) {
  const response = graphError(kind, retryAfterSeconds);
  return {
    id,
    status: response.status,
    headers: response.headers as Record<string, string>,
    body: JSON.parse(response.body.toString('utf8')) as unknown,
  };
}

function withBody(response: ProxiedResponse, body: unknown): ProxiedResponse {
  return { ...response, body: Buffer.from(JSON.stringify(body)) };
}
