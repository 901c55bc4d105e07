/**
 * The write turn's one Table row as the processes read and write it (see sharedWriteBudget.ts):
 * who holds the turn, the last holder's writes still counting, the line of waiters and the places
 * lent. Pure functions of a row as last seen; the storage calls stay with the turn.
 */
import { readNumber, readString } from './entityValues';

export const PARTITION = 'state';
export const ROW = 'writeTurn';
/** A waiter registered this many turns ago and not seen since is dropped (it died, or gave up). */
export const STALE_TURNS = 4;

export interface Waiter {
  /** The turn the waiter last looked in (it refreshes every few turns; one not seen for `STALE_TURNS` is gone). */
  turn: number;
  /**
   * The turn it queued up in: the line's order, kept as it refreshes. Ordered by its refreshes,
   * the line put a waiter behind every holder that queued up again after its turn: of four
   * writers one got no turn in 55 s. (Absent in rows of an earlier release: `turn` stands in.)
   */
  since?: number;
  priority: boolean;
  /** A priority waiter's request for a lent place, numbered by the waiter; answered in `lent`. */
  ask?: number;
}

export interface Turn {
  holder: string;
  turn: number;
  termMs: number;
  /** The last holder's writes still counting: [ms after the hand-back update was sent, count]. */
  tail: Array<[number, number]>;
  waiting: Record<string, Waiter>;
  /** Places lent to priority waiters: waiter → the ask the loan answers. */
  lent: Record<string, number>;
}

export const FREE_TURN: Turn = { holder: '', turn: 0, termMs: 0, tail: [], waiting: {}, lent: {} };

export const queuedSince = (waiter: Waiter): number => waiter.since ?? waiter.turn;

/** The waiters other than `self` seen within the last few turns. */
export function othersWaiting(turn: Turn, self: string): Array<Waiter & { id: string }> {
  return Object.entries(turn.waiting)
    .filter(([waiter, entry]) => waiter !== self && entry.turn > turn.turn - STALE_TURNS)
    .map(([waiter, entry]) => ({ ...entry, id: waiter }));
}

/** The waiters in line before `self`: priority first, then by when they queued up. */
export function aheadOf(turn: Turn, self: string, priority: boolean): Waiter[] {
  const others = othersWaiting(turn, self);
  if (priority) return [];
  if (others.some((w) => w.priority)) return others.filter((w) => w.priority);
  const mine = turn.waiting[self];
  if (!mine) return others;
  const mineSince = queuedSince(mine);
  return others.filter((w) => queuedSince(w) < mineSince || (queuedSince(w) === mineSince && w.id < self));
}

/** The line as the next turn (`turnNumber`) keeps it: without `except` and those gone stale. */
export function withoutStale(
  waiting: Record<string, Waiter>,
  turnNumber: number,
  except: string,
): Record<string, Waiter> {
  return Object.fromEntries(
    Object.entries(waiting).filter(([waiter, entry]) => waiter !== except && entry.turn > turnNumber - STALE_TURNS),
  );
}

/** The row's entity: the lists as JSON text, as Table storage keeps them. */
export function turnEntity(turn: Turn) {
  return {
    partitionKey: PARTITION,
    rowKey: ROW,
    holder: turn.holder,
    turn: turn.turn,
    termMs: turn.termMs,
    tail: JSON.stringify(turn.tail),
    waiting: JSON.stringify(turn.waiting),
    lent: JSON.stringify(turn.lent),
  };
}

export function parseTurn(entity: Record<string, unknown>): Turn {
  return {
    holder: readString(entity, 'holder') ?? '',
    turn: readNumber(entity, 'turn') ?? 0,
    termMs: readNumber(entity, 'termMs') ?? 0,
    tail: parseJson(readString(entity, 'tail'), []),
    waiting: parseJson(readString(entity, 'waiting'), {}),
    lent: parseJson(readString(entity, 'lent'), {}),
  };
}

function parseJson<T>(text: string | undefined, fallback: T): T {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}
