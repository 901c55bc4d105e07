/**
 * Graph's view of one phase against its budgets, from the simulator's request log: the most
 * writes admitted within any 1-s span, writes per 5 s from the first (the shape of a start),
 * and the most resource units charged within any 10 s. Computed in the world process, where the
 * log is; a span is (t − length, t], as the simulator's sliding windows count.
 */
import { GRAPH_ROUTES } from '../sim/graph/graphRoutes';
import { costOf, isWriteMethod, matchRoute } from '../sim/graph/routeTable';
import type { LogicalRequest } from '../sim/graph/simRuntime';
import type { GraphRequestLogEntry } from '../sim/graph';

export interface BudgetFigures {
  /** Most writes admitted within any 1-s span (429s are not admitted). */
  maxWritesPerSecond: number;
  /** Writes admitted per 5 s from the first admitted write. */
  writesPer5s: number[];
  /** Most resource units charged within any 10-s span (what Graph counts against the tenant's budget). */
  peakUnitsPer10s: number;
}

export function budgetFigures(log: readonly GraphRequestLogEntry[]): BudgetFigures {
  const logical = log.filter((entry) => entry.inBatch || entry.path.toLowerCase() !== '/$batch');
  const writes = logical
    .filter((entry) => isWriteMethod(entry.method) && entry.status !== 429)
    .map((entry) => entry.at);
  const units = logical
    .map((entry) => ({ at: entry.at, units: unitsCharged(entry) }))
    .filter((charge) => charge.units > 0);
  const first = writes[0];
  const writesPer5s: number[] = [];
  for (const at of writes) {
    const bucket = Math.floor((at - first!) / 5000);
    while (writesPer5s.length <= bucket) writesPer5s.push(0);
    writesPer5s[bucket]! += 1;
  }
  return {
    maxWritesPerSecond: peakWithin(
      writes.map((at) => ({ at, units: 1 })),
      1000,
    ),
    writesPer5s,
    peakUnitsPer10s: peakWithin(units, 10_000),
  };
}

/** What the simulator charged the entry: nothing for a 429 or a path it does not serve. */
function unitsCharged(entry: GraphRequestLogEntry): number {
  if (entry.status === 429) return 0;
  const match = matchRoute(GRAPH_ROUTES, entry.method, entry.path);
  if ('status' in match) return 0;
  return costOf(match.route, { method: entry.method, query: entry.query } as LogicalRequest).resourceUnits;
}

/** The largest sum of `units` within any span (t − lengthMs, t]; charges in time order. */
function peakWithin(charges: ReadonlyArray<{ at: number; units: number }>, lengthMs: number): number {
  let peak = 0;
  let sum = 0;
  let tail = 0;
  for (const charge of charges) {
    sum += charge.units;
    while (charges[tail]!.at <= charge.at - lengthMs) sum -= charges[tail++]!.units;
    peak = Math.max(peak, sum);
  }
  return peak;
}
