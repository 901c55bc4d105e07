/**
 * The fault policy in front of Azurite's table and queue endpoints. Armed, it kills the
 * pipeline's process when the cycle is about to move its watermark (after the jobs were
 * enqueued, before the watermark write) or after a number of escrow writes (in the middle of a
 * sweep), and it can deliver each new job message twice. The write that triggers a kill never
 * reaches storage: the process died before it could have been made.
 */
import type { FaultCounter } from './faultCounter';
import type { AfterVerdict, ProxiedResponse, ProxyPolicy } from './proxy';

export interface StorageFaultControl {
  tablePrefix: string;
  queueName: string;
  killOnWatermarkWrite: boolean;
  /** Kill when this many more escrow writes arrive (null: never). */
  killAfterEscrowWrites: number | null;
  /** Share of job messages sent twice. */
  duplicateRate: number;
  onKill: () => void;
  /**
   * Pop receipts of job messages received and not yet deleted, by message id. When the suite
   * kills a process it lets their visibility timeout pass at once, as the wait until the next
   * scheduled run would, instead of sleeping through it.
   */
  leases: Map<string, string>;
}

export function storageFaultPolicy(
  random: () => number,
  control: StorageFaultControl,
  counter: FaultCounter,
): ProxyPolicy {
  return (request) => {
    const isWrite = request.method !== 'GET' && request.method !== 'HEAD';
    const path = decodeURIComponent(request.url.split('?')[0] ?? '');
    const createsTable = /\/Tables$/i.test(path);
    const touches = (table: string): boolean =>
      !createsTable &&
      (path.includes(`/${control.tablePrefix}${table}`) ||
        (path.endsWith('/$batch') && request.body.includes(`${control.tablePrefix}${table}`)));

    if (control.killOnWatermarkWrite && isWrite && touches('Watermarks')) {
      control.killOnWatermarkWrite = false;
      counter.add('kill: after enqueue, before watermark');
      control.onKill();
      return { kind: 'reset' };
    }
    if (control.killAfterEscrowWrites !== null && isWrite && touches('Escrow')) {
      control.killAfterEscrowWrites -= 1;
      if (control.killAfterEscrowWrites <= 0) {
        control.killAfterEscrowWrites = null;
        counter.add('kill: in the middle of a sweep');
        control.onKill();
        return { kind: 'reset' };
      }
    }
    const sendsJob = request.method === 'POST' && path.endsWith(`/${control.queueName}/messages`);
    if (sendsJob && control.duplicateRate > 0 && random() < control.duplicateRate) {
      counter.add('queue: job message delivered twice');
      return { kind: 'forward', twice: true };
    }
    if (path.includes(`/${control.queueName}/messages`))
      return { kind: 'forward', after: (response) => trackLeases(request.method, path, response, control.leases) };
    return { kind: 'forward' };
  };
}

function trackLeases(
  method: string,
  path: string,
  response: ProxiedResponse,
  leases: Map<string, string>,
): AfterVerdict {
  const messageId = /\/messages\/([^/]+)$/.exec(path)?.[1];
  if (method === 'GET' && !messageId) {
    const text = response.body.toString('utf8');
    for (const match of text.matchAll(/<MessageId>([^<]+)<\/MessageId>[\s\S]*?<PopReceipt>([^<]+)<\/PopReceipt>/g))
      leases.set(match[1]!, match[2]!);
  } else if (method === 'PUT' && messageId) {
    const receipt = response.headers['x-ms-popreceipt'];
    if (typeof receipt === 'string') leases.set(messageId, receipt);
  } else if (method === 'DELETE' && messageId) {
    leases.delete(messageId);
  }
  return { kind: 'deliver' };
}
