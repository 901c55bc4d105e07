import { app, type InvocationContext, type Timer } from '@azure/functions';
import { runCycle, type RunSummary } from '../app/operations';
import { operationIdOf } from '../telemetry/operationContext';
import { getServices } from './hostServices';

/** Timer: read Workday, plan, enqueue one job per worker that needs one. The queue function writes. */
export async function enrichCycle(_timer: Timer, context: InvocationContext): Promise<RunSummary> {
  const summary = await runCycle(getServices(), { operationId: operationIdOf(context) });
  context.log(
    `cycle ${summary.runId}: ${summary.enqueued} jobs enqueued${summary.held ? ', HELD by the mass-change guard' : ''}`,
    summary.counts,
  );
  return summary;
}

app.timer('enrichCycle', { schedule: '%ENRICH_SCHEDULE%', runOnStartup: false, handler: enrichCycle });
