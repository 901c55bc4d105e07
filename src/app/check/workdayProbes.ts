/**
 * Workday for `check`: first the smallest read the source allows (one worker by id: the RaaS
 * prompt, or a SOAP Get_Workers by reference), which proves the URL and the credentials; then
 * one full read, to see whether the two scopes are exclusive on the data as it is today, which
 * also keeps a bounded sample of in-scope workers for the sample probes.
 */
import type { ConnectorConfig } from '../../core/connector';
import { ensureAppError, type AppError } from '../../core/errors';
import type { WorkerSource } from '../../core/ports';
import { scopeOf } from '../../core/scope';
import { parseWorker } from '../../core/worker';
import { fail, pass, type CheckLine } from './checkLine';
import { SAMPLE_SIZE, type WorkerSample } from './sampleProbes';

/** No Workday worker has this id; any answer to it (none found, or a row) proves the read works. */
export const PROBE_WORKER_ID = 'awcheck-probe';
/** How many worker ids a failed scope line shows. */
const EXAMPLES = 5;

export async function probeWorkdayRead(source: WorkerSource): Promise<CheckLine> {
  const check = `Workday (${source.kind === 'raas' ? 'RaaS report' : 'SOAP Get_Workers'})`;
  const started = Date.now();
  try {
    await source.readWorker(PROBE_WORKER_ID);
    return pass(check, `answered a one-worker read with these credentials in ${Date.now() - started} ms`);
  } catch (err) {
    return workdayFailure(check, ensureAppError(err));
  }
}

export interface ScopeProbe {
  line: CheckLine;
  /** A few workers in the hybrid scope, for the Graph probes. */
  hybridIds: string[];
  /** The first in-scope workers of the read, for the sample probes. */
  sample: WorkerSample;
}

export async function probeScopes(source: WorkerSource, connector: ConnectorConfig, asOf: Date): Promise<ScopeProbe> {
  const check = 'scopes exclusive on current Workday data';
  let read = 0;
  let hybrid = 0;
  let outOfScope = 0;
  const both: string[] = [];
  const hybridIds: string[] = [];
  const sample: WorkerSample = { workers: [], rejected: 0 };
  try {
    for await (const raw of source.readWorkers({ asOf })) {
      read += 1;
      const parsed = parseWorker(raw, connector.source.fields);
      const verdict = scopeOf(connector, parsed.ok ? parsed.worker.attributes : parsed.attributes);
      const id = parsed.ok ? parsed.worker.workerId : (parsed.workerId ?? '(no id)');
      if (verdict === 'bothScopes') both.push(id);
      else if (verdict === 'outOfScope') outOfScope += 1;
      else {
        hybrid += 1;
        if (parsed.ok && hybridIds.length < 3) hybridIds.push(id);
        if (sample.workers.length + sample.rejected < SAMPLE_SIZE) {
          if (parsed.ok) sample.workers.push(parsed.worker);
          else sample.rejected += 1;
        }
      }
    }
  } catch (err) {
    return { line: workdayFailure(check, ensureAppError(err)), hybridIds, sample };
  }
  const tally = `${read} workers read: ${hybrid} hybrid, ${outOfScope} out of scope, ${both.length} in both scopes`;
  if (both.length > 0) {
    const examples = `${both.slice(0, EXAMPLES).join(', ')}${both.length > EXAMPLES ? ', …' : ''}`;
    return {
      line: fail(
        check,
        'configuration',
        `${tally} (${examples})`,
        'narrow scope or cloudOnlyScope in the connector file so that no worker matches both; until then these workers are conflicts and never written',
      ),
      hybridIds,
      sample,
    };
  }
  if (hybrid === 0) {
    return {
      line: fail(
        check,
        'configuration',
        tally,
        'the hybrid scope selects no worker: check the attribute names in scope (report columns, or the SOAP attribute names) and their values',
      ),
      hybridIds,
      sample,
    };
  }
  return { line: pass(check, tally), hybridIds, sample };
}

function workdayFailure(check: string, error: AppError): CheckLine {
  const detail = `${error.message} [${error.code}]`;
  if (error.code === 'WORKDAY.UNAVAILABLE' || error.transient) {
    return fail(
      check,
      'unreachable',
      detail,
      'Workday did not answer: check the URL setting and that Workday is reachable from here (a maintenance window answers 503)',
    );
  }
  if (error.code === 'WORKDAY.AUTHENTICATION')
    return fail(
      check,
      'configuration',
      detail,
      'check WORKDAY_USERNAME (ISU_name@tenant) and WORKDAY_PASSWORD, and that the integration system user may run the report or Get_Workers',
    );
  return fail(
    check,
    'configuration',
    detail,
    'check WORKDAY_RAAS_URL or WORKDAY_SOAP_URL and source in the connector file',
  );
}
