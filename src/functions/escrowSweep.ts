import { app, type InvocationContext, type Timer } from '@azure/functions';
import { runSweep, type RunSummary } from '../app/operations';
import { operationIdOf } from '../telemetry/operationContext';
import { getServices } from './hostServices';

/** Short timer: re-enqueue escrowed workers whose user has appeared, so they are written within minutes. */
export async function escrowSweep(_timer: Timer, context: InvocationContext): Promise<RunSummary> {
  const summary = await runSweep(getServices(), { operationId: operationIdOf(context) });
  context.log(
    `sweep ${summary.runId}: ${summary.enqueued} escrowed workers re-enqueued, ${summary.escrow?.backlog ?? 0} waiting`,
  );
  return summary;
}

app.timer('escrowSweep', { schedule: '%ESCROW_SWEEP_SCHEDULE%', runOnStartup: false, handler: escrowSweep });
