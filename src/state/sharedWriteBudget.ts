/**
 * The deployment's one write budget: a write *turn* that one process holds at a time, kept in one
 * Table row (`${prefix}Runs`, partition `state`, row `writeTurn`) and changed only with its ETag.
 *
 * Why a turn and not slices of each second: Graph counts writes over sliding windows, and the
 * Pacer keeps at most N writes within any second by counting each write until Graph answered it.
 * Slices of a shared second cannot promise that across processes (two slices of adjacent seconds
 * may leave within one second of each other), and a shared "second" would need the processes'
 * clocks to agree to a few milliseconds. A turn needs no shared clock at all: every time below is
 * one process's own, and each is compared only with times of that same process.
 * - The holder's turn ends `termMs` after it sent its last successful renewal; it renews every
 *   `renewEveryMs` while it writes. Another process first sees the row after the renewal was
 *   stored, so from that moment + `termMs` the holder surely stopped sending; its last writes
 *   count at most `answerBoundMs` + 1 s longer. That is when a dead holder's turn returns.
 * - A holder hands the turn back only when another process waits for it (a lone holder keeps it,
 *   renewing, between its jobs' rounds): once it wants no write for `idleReleaseMs` or has held it
 *   its share of `rotationMs`. It writes into the same row its writes still counting, relative to
 *   that update (`tail`), once those in flight are answered. Alone and idle for
 *   `loneIdleReleaseMs`, it hands the turn back too, so as not to renew for nothing. The next
 *   holder counts them from when it first saw the hand-back, which is later than the update: never
 *   too few; that lag (a poll, 25–60 ms) is what each hand-over costs.
 * - A priority waiter (a resync: an operator is waiting) does not move the turn: a busy holder
 *   *lends* it one place. Moving the turn away and back cost about 0.9 s without writes per
 *   resync (18 writes); a loan costs the holder one place for about 2 s (its one write for the
 *   borrower's one). The holder
 *   takes the next free place of its own window (as a write of its own would); once that place
 *   is free it writes the loan into the row (`lent`: waiter → the ask it answers) and counts the
 *   place until `LOAN_LEAVE_MS` + `answerBoundMs` after the row update was answered. The
 *   borrower last looked at the row without the loan before the loan was stored, so before that
 *   answer: it sends its one write within `LOAN_LEAVE_MS` of the start of that look, and Graph
 *   counts it within `answerBoundMs` of leaving: inside the place. A loan not used in time lapses
 *   on both sides; the waiter asks again.
 * Cost: the holder's renewals, the waiters' polls, one update per turn taken or handed back
 * (figures in docs/performance.md). The Pacer paces within the turn as it always has.
 */
import type { TableClient } from '@azure/data-tables';
import { AppError } from '../core/errors';
import { sleep } from '../core/retry';
import type { CountedWrites, ReservedPlace, WriteBudgetSource } from '../graph/writeBudget';
import { isNotFound, statusOf, toStorageError } from './storageErrors';
import type { StorageClients } from './storageClients';
import { tableName } from './tableKeys';
import {
  aheadOf,
  FREE_TURN,
  othersWaiting as othersWaitingIn,
  PARTITION,
  parseTurn,
  queuedSince,
  ROW,
  STALE_TURNS,
  type Turn,
  turnEntity,
  type Waiter,
  withoutStale,
} from './writeTurnRow';

/** Graph's write window the Pacer paces within: a write's last count + this is when it stops mattering. */
const WINDOW_MS = 1_000;
/** A free turn that the first waiter in line has not taken for this long goes to whoever asks (that waiter died). */
const FREE_GRACE_MS = 300;
/**
 * Writes are taken until this long before the turn ends: a write taken may still wait for its
 * guard (a storage read) before it leaves, and it must leave within the turn.
 */
const STOP_BEFORE_END_MS = 500;
/** How often the holder looks at its own state (idle, lapsed, renewal due): no storage operation. */
const TICK_MS = 25;
/** How long a hand-back waits for the writes taken to leave (their guards), at most. */
const LEAVE_WAIT_MS = 3_000;
/**
 * How long after its last look at the row without its loan a borrower may still send the write;
 * the holder counts the lent place until this, plus how long a write may count, after the row
 * took the loan (0.95 s with the production bound). The place is lent as it frees and is free
 * again about 2 s later, as the holder's batch after next gathers: the holder gives up one write
 * for the borrower's one. Tried and not kept: 1.75 s (the place missed two batches: one write
 * lost per loan) and 1 s (the place came back between two batches and went on leaving alone, out
 * of step, every second after).
 */
export const LOAN_LEAVE_MS = 700;
/**
 * A borrower takes its write at most this long before its loan's `leaveBy`: time for the write's
 * guard (one ledger read). A loan it cannot use in time lapses, and it asks again.
 */
const LOAN_GUARD_MS = 250;
/** The most recent loans kept in the row (a borrower may not have seen its own yet). */
const LOANS_KEPT = 8;

export interface WriteTurnTiming {
  /** A turn lasts this long after the holder's last renewal (bounds a dead holder's turn). */
  termMs: number;
  renewEveryMs: number;
  /** With others waiting, the holder hands the turn on after holding it at least this long. */
  yieldAfterMs: number;
  /**
   * With others waiting, the turn goes round all of them in about this long: each holds it
   * `rotationMs / (waiters + 1)`, at least `yieldAfterMs`. Every hand-over costs a few writes
   * (the next holder counts the last one's writes from when it saw the hand-back), so two
   * processes hand over every 17.5 s, not every 5 s; and a write waits for the turn at most about
   * this long, within `maxWaitMs`, however many processes write.
   */
  rotationMs: number;
  /** With others waiting, a holder that wanted no write for this long hands the turn on. */
  idleReleaseMs: number;
  /** Alone, a holder keeps the turn between its jobs' rounds; it lets go after this long without a write. */
  loneIdleReleaseMs: number;
  /** How often a waiter reads the row (the first in line twice as often: it takes the turn next). */
  pollMs: number;
  /** The Pacer's bound on how long after it left a write may still count at Graph. */
  answerBoundMs: number;
  /**
   * How long a write waits for the turn before its request fails as transient: under the CLI's
   * visibility timeout (300 s) and the function timeout (10 min) even after every retry.
   */
  maxWaitMs: number;
}

export const DEFAULT_WRITE_TURN: WriteTurnTiming = {
  termMs: 2_000,
  renewEveryMs: 500,
  yieldAfterMs: 5_000,
  rotationMs: 35_000,
  idleReleaseMs: 200,
  loneIdleReleaseMs: 10_000,
  pollMs: 100,
  answerBoundMs: 250,
  maxWaitMs: 40_000,
};

/** Storage operations the sharing cost (the bench reports them per 1,000 writes). */
export interface WriteTurnOperations {
  reads: number;
  writes: number;
  /** Conditional writes refused because another process changed the row first (412/409). */
  conflicts: number;
  turnsTaken: number;
  /** Places lent to a priority waiter (as holder) and loans used (as the waiter). */
  loansGiven: number;
  loansUsed: number;
}

export interface SharedWriteBudget extends WriteBudgetSource {
  /** While the returned release is not called, this process waits for the turn ahead of the others (resync). */
  prioritize(): () => void;
  operations(): WriteTurnOperations;
  /** Hands the turn back now (at shutdown), so the next process need not wait for it to lapse. */
  close(): Promise<void>;
}

export function createSharedWriteBudget(
  clients: StorageClients,
  tablePrefix: string,
  timing: Partial<WriteTurnTiming> = {},
): SharedWriteBudget {
  const t = { ...DEFAULT_WRITE_TURN, ...timing };
  const name = tableName(tablePrefix, 'Runs');
  const id = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const ops: WriteTurnOperations = { reads: 0, writes: 0, conflicts: 0, turnsTaken: 0, loansGiven: 0, loansUsed: 0 };
  let known: { turn: Turn; etag: string | null; seenAt: number } = { turn: FREE_TURN, etag: null, seenAt: 0 };
  let heldUntil = 0;
  /** The end of this process's last term as renewed; a hand-back does not end it (the next holder counts what leaves). */
  let termEndsAt = 0;
  let heldSince = 0;
  let lastRenew = 0;
  let lastWanted = 0;
  let inherited: CountedWrites[] = [];
  let stillCounting: (now: number) => CountedWrites[] | null = () => [];
  let reservePlace: ((now: number) => ReservedPlace) | null = null;
  /** A place held for the priority waiter's ask, lent once it is free. */
  let heldForLoan: ReservedPlace | null = null;
  let lending = false;
  /** The one wait for the turn that every write of this process waiting shares. */
  let acquiring: Promise<void> | null = null;
  /** As a priority waiter: the number of our latest ask, and the start of our latest look at the row without its loan. */
  let asks = 0;
  let lookedWithoutLoan = 0;
  /** A place lent to us: writes we may still take, and when the last of them must have left. */
  let loan: { ask: number; remaining: number; leaveBy: number } | null = null;
  let priorities = 0;
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<unknown> = Promise.resolve();

  /** One row operation at a time per process: the holder's timer and a waiting drain never race each other. */
  const serial = <T>(step: () => Promise<T>): Promise<T> => {
    const run = chain.then(step, step);
    chain = run.catch(() => undefined);
    return run;
  };

  const table = (): Promise<TableClient> => clients.ensureTable(name);
  // A write taken now may still wait for its guard before it leaves: stop a little before the term ends.
  const holds = (now: number): boolean => now < heldUntil - STOP_BEFORE_END_MS;

  const read = async (): Promise<void> => {
    ops.reads++;
    try {
      const entity = await (await table()).getEntity<Record<string, unknown>>(PARTITION, ROW);
      const etag = entity.etag as string;
      if (etag !== known.etag) known = { turn: parseTurn(entity), etag, seenAt: Date.now() };
    } catch (err) {
      if (!isNotFound(err)) throw toStorageError(err, 'reading the write-turn row');
      known = { turn: FREE_TURN, etag: null, seenAt: Date.now() };
    }
  };

  /** Writes `turn` if the row is still what we last saw; false when another process changed it first. */
  const write = async (turn: Turn): Promise<boolean> => {
    ops.writes++;
    const entity = turnEntity(turn);
    try {
      const client = await table();
      const answer =
        known.etag === null
          ? await client.createEntity(entity)
          : await client.updateEntity(entity, 'Replace', { etag: known.etag });
      known = { turn, etag: answer.etag ?? null, seenAt: Date.now() };
      return true;
    } catch (err) {
      const status = statusOf(err);
      if (status !== 409 && status !== 412) throw toStorageError(err, 'recording the write turn');
      ops.conflicts++;
      return false;
    }
  };

  const othersWaiting = (turn: Turn) => othersWaitingIn(turn, id);
  const aheadOfUs = (turn: Turn, priority: boolean) => aheadOf(turn, id, priority);

  /** The holder's writes stop counting this long after we first saw its last renewal (it may have died). */
  const lapsesAt = () => known.seenAt + known.turn.termMs + t.answerBoundMs + WINDOW_MS;

  /** One look at the row as a waiter: take the turn if it is free (or lapsed) and ours to take, else queue up. */
  const tryTake = async (): Promise<void> => {
    // Several waits may queue up behind one look: the first took the turn for all of them.
    if (holds(Date.now())) return;
    const lookedAt = Date.now();
    await read();
    const now = Date.now();
    const { turn } = known;
    const free = turn.holder === '' || turn.holder === id || now >= lapsesAt();
    const priority = priorities > 0;
    if (priority && !free && asks > 0 && turn.lent[id] === asks && loan?.ask !== asks) {
      // Lent to us after our last look without it: our write counts within the holder's place.
      loan = { ask: asks, remaining: 1, leaveBy: lookedWithoutLoan + LOAN_LEAVE_MS };
      ops.loansUsed++;
      return;
    }
    if (turn.lent[id] !== asks) lookedWithoutLoan = lookedAt;
    // Those in line before us take a free turn first, unless they leave it free too long (gone).
    const inLine = aheadOfUs(turn, priority).length > 0 && now - known.seenAt < FREE_GRACE_MS;
    if (!free || inLine) {
      const mine = turn.waiting[id];
      if (mine && mine.priority === priority && mine.turn > turn.turn - STALE_TURNS / 2) return;
      // A priority waiter asks anew each time it queues up (the holder takes it out of line as it
      // lends); a plain one keeps its place in line as it refreshes.
      const since = mine && !mine.priority && !priority ? queuedSince(mine) : turn.turn;
      const entry: Waiter = priority
        ? { turn: turn.turn, since, priority, ask: ++asks }
        : { turn: turn.turn, since, priority };
      const sentAt = Date.now();
      if ((await write({ ...turn, waiting: { ...turn.waiting, [id]: entry } })) && priority) lookedWithoutLoan = sentAt;
      return;
    }
    const lapsed = turn.holder !== '' && turn.holder !== id;
    const tail = lapsed ? [] : turn.tail;
    const seenAt = known.seenAt;
    const sentAt = Date.now();
    const taken = await write({
      holder: id,
      turn: turn.turn + 1,
      termMs: t.termMs,
      tail: [],
      waiting: withoutStale(turn.waiting, turn.turn + 1, id),
      lent: turn.lent,
    });
    if (!taken) return;
    ops.turnsTaken++;
    heldSince = sentAt;
    lastRenew = sentAt;
    lastWanted = Math.max(lastWanted, sentAt);
    heldUntil = sentAt + t.termMs;
    termEndsAt = heldUntil;
    // Counted from when we first saw the hand-back, which was after it was stored: never too early.
    inherited = tail.map(([after, count]) => ({ count, countedUntil: seenAt + after }));
    startTimer();
  };

  /** Hands the turn back with our writes still counting; also after our term lapsed, so no one waits out the lapse. */
  const handBack = async (): Promise<void> => {
    heldUntil = 0;
    stopTimer();
    // A place held for a loan not offered yet is no one's: it stops counting.
    heldForLoan?.settle(Date.now());
    heldForLoan = null;
    // Writes taken may still wait for their guards, and those in flight for their answers: until
    // then, when they stop counting is unknown (or only the bound).
    const waitUntil = Date.now() + LEAVE_WAIT_MS;
    while (stillCounting(Date.now()) === null && Date.now() < waitUntil) await sleep(10);
    for (let attempt = 0; attempt < 3; attempt++) {
      const sentAt = Date.now();
      const tail = (stillCounting(sentAt) ?? []).map(({ countedUntil, count }): [number, number] => [
        Math.ceil(countedUntil - sentAt),
        count,
      ]);
      if (known.turn.holder !== id) return;
      if (await write({ ...known.turn, holder: '', tail })) return;
      await read();
    }
  };

  /** Extends the turn; on a conflict (a waiter queued up) looks again and hands on when it should. */
  const renew = async (): Promise<void> => {
    for (let attempt = 0; attempt < 3 && heldUntil > 0; attempt++) {
      const now = Date.now();
      if (known.turn.holder !== id) {
        heldUntil = 0;
        stopTimer();
        return;
      }
      // A priority waiter is lent a place (see tick), not handed the turn.
      const waiters = othersWaiting(known.turn).filter((w) => !w.priority);
      const holdFor = Math.max(t.yieldAfterMs, t.rotationMs / (waiters.length + 1));
      if (waiters.length > 0 && now - heldSince >= holdFor) return handBack();
      if (await write(known.turn)) {
        lastRenew = now;
        heldUntil = now + t.termMs;
        termEndsAt = heldUntil;
        return;
      }
      await read();
    }
  };

  /** A priority waiter (not us) whose latest ask has no loan yet, as the row was last seen. */
  const loanAsked = (): (Waiter & { id: string }) | undefined =>
    othersWaiting(known.turn).find((w) => w.priority && (w.ask ?? 0) > (known.turn.lent[w.id] ?? 0));

  /** Writes the loan of `place` into the row; the place counts until the borrower's write surely stopped counting. */
  const lend = async (place: ReservedPlace): Promise<void> => {
    let stored = false;
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const asker = loanAsked();
        if (!asker || heldUntil === 0 || known.turn.holder !== id) return;
        const waiting = Object.fromEntries(
          Object.entries(known.turn.waiting).filter(([waiter]) => waiter !== asker.id),
        );
        const kept = Object.entries(known.turn.lent)
          .filter(([waiter]) => waiter !== asker.id)
          .slice(1 - LOANS_KEPT);
        const lent = { ...Object.fromEntries(kept), [asker.id]: asker.ask ?? 0 };
        stored = await write({ ...known.turn, waiting, lent });
        if (stored) {
          ops.loansGiven++;
          return;
        }
        await read();
      }
    } catch (err) {
      // The row may have taken the loan before the answer failed: count the place as lent.
      stored = true;
      throw err;
    } finally {
      place.settle(stored ? Date.now() + LOAN_LEAVE_MS + t.answerBoundMs : Date.now());
    }
  };

  const tick = (): void => {
    const now = Date.now();
    // Lapsed (a renewal too slow): hand it back. Idle: hand it on when others wait; alone, keep it
    // between the jobs' rounds (a new turn would cost a look and a write before the next write).
    const idleFor = othersWaiting(known.turn).length > 0 ? t.idleReleaseMs : t.loneIdleReleaseMs;
    if (now >= heldUntil || now - lastWanted >= idleFor) {
      heldUntil = 0;
      stopTimer();
      void serial(handBack).catch(() => undefined);
      return;
    }
    if (!lending && loanAsked() && reservePlace) heldForLoan ??= reservePlace(now);
    if (heldForLoan && !lending && heldForLoan.freeAt <= now) {
      const place = heldForLoan;
      heldForLoan = null;
      lending = true;
      void serial(() => lend(place))
        .catch(() => undefined)
        .finally(() => (lending = false));
    } else if (now - lastRenew >= t.renewEveryMs) void serial(renew).catch(() => undefined);
  };

  const startTimer = (): void => {
    if (timer) return;
    timer = setInterval(tick, Math.max(10, Math.min(TICK_MS, Math.floor(t.renewEveryMs / 4))));
    timer.unref();
  };

  const stopTimer = (): void => {
    if (timer) clearInterval(timer);
    timer = null;
  };

  /** Waits for the turn or a lent place, looking at the row as a waiter; gives up after maxWaitMs. */
  const waitForTurn = async (): Promise<void> => {
    const started = Date.now();
    for (;;) {
      if (writesAllowed(Date.now()) > 0) return;
      if (Date.now() - started > t.maxWaitMs) {
        throw new AppError(
          'GRAPH.UNAVAILABLE',
          `No turn of the deployment's Graph write budget within ${Math.round(t.maxWaitMs / 1000)} s (other instances hold it); the write was not sent and is retried.`,
          { transient: true },
        );
      }
      await serial(tryTake);
      if (writesAllowed(Date.now()) > 0) return;
      const next = aheadOfUs(known.turn, priorities > 0).length === 0;
      await sleep((next ? t.pollMs / 2 : t.pollMs) * (0.75 + Math.random() / 2));
    }
  };

  /** Writes this process may take now: any number within its turn, one within a place lent to it. */
  const writesAllowed = (now: number): number => {
    if (holds(now)) return Number.POSITIVE_INFINITY;
    if (!loan || loan.remaining <= 0 || now >= loan.leaveBy - LOAN_GUARD_MS) return 0;
    return loan.remaining;
  };

  return {
    writesAllowed,
    took(count, now) {
      if (!holds(now) && loan) loan.remaining -= count;
    },
    mayLeave: (now) => now < termEndsAt || (loan !== null && now < loan.leaveBy),
    attachLender(reserve) {
      reservePlace = reserve;
    },
    wanted(until) {
      // Replaced, not raised: a gather that wanted a batch until a place 1 s away, and took it
      // early with no write left, kept a drained holder on the turn that long (others waiting).
      lastWanted = until;
    },
    takeInherited() {
      const handed = inherited;
      inherited = [];
      return handed;
    },
    attach(reader) {
      stillCounting = reader;
    },
    acquire() {
      // Every write waiting in this process waits on one look at the row, not one look each.
      acquiring ??= waitForTurn().finally(() => {
        acquiring = null;
      });
      return acquiring;
    },
    prioritize() {
      priorities++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        priorities--;
        // The resync's write was answered: hand the turn on at the next look if others wait, not after an idle spell.
        if (priorities === 0 && othersWaiting(known.turn).length > 0) lastWanted = 0;
      };
    },
    operations: () => ({ ...ops }),
    close: () => serial(async () => (heldUntil > 0 || known.turn.holder === id ? handBack() : undefined)),
  };
}
