/**
 * `check`'s "test connection": a bounded sample of in-scope workers from the scope probe's read,
 * and what the next cycle would do with them, predicted with reads only (no write, no ledger).
 *
 * The personal email line exists because a missing Workday domain is silent: the HOME email is
 * secured by *Person Data: Home Contact Information*, which Microsoft's standard integration-user
 * setup ("Configure Workday to Microsoft Entra user provisioning", configure the integration
 * system user's domain security) does not grant. Without it Workday answers with no HOME email,
 * and the connector writes nothing and rejects no one.
 */
import type { ConnectorConfig } from '../../core/connector';
import { ensureAppError } from '../../core/errors';
import { desiredStateOf, isEmptyPlan, planWrite } from '../../core/mapping';
import type { Directory } from '../../core/ports';
import { screenWorker } from '../../core/screenWorker';
import type { Worker } from '../../core/worker';
import { fail, pass, skip, warn, type CheckLine } from './checkLine';

/** How many in-scope workers `check` samples: enough to see a pattern, few enough for a quick read. */
export const SAMPLE_SIZE = 50;

/** In-scope workers of the read, as the cycle would see them: parsed, or rejected by validation. */
export interface WorkerSample {
  workers: Worker[];
  rejected: number;
}

export type Prediction = 'written' | 'unchanged' | 'escrowed' | 'rejected' | 'conflict';

const EMAIL_CHECK = 'personal email in sampled workers';
const PREDICTION_CHECK = 'predicted outcomes of sampled workers';

export async function probeSample(
  sample: WorkerSample,
  connector: ConnectorConfig,
  directory: Directory,
): Promise<CheckLine[]> {
  const size = sample.workers.length + sample.rejected;
  if (size === 0)
    return [skip(EMAIL_CHECK, 'no in-scope worker to sample'), skip(PREDICTION_CHECK, 'no in-scope worker to sample')];
  const lines: CheckLine[] = [];
  const mapsEmail = connector.mappings.some((mapping) => mapping.source === 'personalEmail');
  if (mapsEmail && sample.workers.length > 0) lines.push(personalEmailLine(sample.workers));
  try {
    const counts = await predict(sample, connector, directory);
    const tally = (['written', 'unchanged', 'escrowed', 'rejected', 'conflict'] as const)
      .map((code) => `${counts[code]} ${code}`)
      .join(', ');
    lines.push(
      pass(PREDICTION_CHECK, `${size} in-scope workers sampled: ${tally} (a prediction from reads; nothing written)`),
    );
  } catch (err) {
    const error = ensureAppError(err);
    lines.push(
      fail(
        PREDICTION_CHECK,
        error.transient ? 'unreachable' : 'configuration',
        `${error.message} [${error.code}]`,
        'see the Graph lines above',
      ),
    );
  }
  return lines;
}

function personalEmailLine(workers: readonly Worker[]): CheckLine {
  const withEmail = workers.filter((worker) => worker.fields.personalEmail).length;
  const detail = `${withEmail} of ${workers.length} sampled in-scope workers have a personal (HOME) email`;
  if (withEmail > 0) return pass(EMAIL_CHECK, detail);
  return warn(
    EMAIL_CHECK,
    `${detail}: nothing would be written to otherMails, and no worker is rejected for it`,
    'the integration user likely lacks the Workday domain Person Data: Home Contact Information: add it (Get access) to the integration system security group, activate the pending security policy changes, and run check again',
  );
}

/** What the next cycle would do with each sampled worker, from one batched lookup and no write. */
async function predict(
  sample: WorkerSample,
  connector: ConnectorConfig,
  directory: Directory,
): Promise<Record<Prediction, number>> {
  const counts: Record<Prediction, number> = {
    written: 0,
    unchanged: 0,
    escrowed: 0,
    rejected: sample.rejected,
    conflict: 0,
  };
  const screened = sample.workers.filter((worker) => {
    const outcome = screenWorker(connector, worker);
    if (outcome?.code === 'rejected' || outcome?.code === 'conflict') counts[outcome.code] += 1;
    return outcome === null;
  });
  const users = await directory.findUsersByEmployeeIds(screened.map((worker) => worker.workerId));
  const wantsAuthEmail = connector.mappings.some((mapping) => mapping.target === 'authenticationEmail');
  for (const worker of screened) {
    const found = users.get(worker.workerId.toLowerCase()) ?? [];
    const user = found[0];
    if (!user) counts.escrowed += 1;
    else if (found.length > 1 || user.onPremisesSyncEnabled !== true) counts.conflict += 1;
    else {
      const plan = planWrite({
        desired: desiredStateOf(worker.fields, connector.mappings),
        user,
        mappings: connector.mappings,
        authenticationEmail: wantsAuthEmail ? await directory.getAuthenticationEmail(user.id) : undefined,
      });
      counts[isEmptyPlan(plan) ? 'unchanged' : 'written'] += 1;
    }
  }
  return counts;
}
