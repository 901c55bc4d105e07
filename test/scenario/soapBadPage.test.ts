/**
 * A SOAP page that is not well-formed XML (here `&#x110000;`, a character reference outside
 * Unicode, in a Worker_ID on page 2) fails the read: the cycle exits 3 with a specific reason,
 * writes nothing and leaves the watermark where it was; it is never a half read, and never an
 * INTERNAL error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCycle } from '../../src/app/operations';
import { buildWorld } from '../../sim/world';
import type { AzuriteInstance } from '../support/azurite';
import { baseConnector, patches, startAzurite, startScenario } from './harness';

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describe('a SOAP page with an invalid character reference', () => {
  it('fails the read with exit 3, writing nothing and keeping the watermark', async () => {
    const s = await startScenario(azurite, {
      world: buildWorld({ size: 60, seed: 9 }),
      connector: { ...baseConnector(), source: { kind: 'soap', pageSize: 20 } },
    });
    try {
      s.workday.tenant.faults.push({ protocol: 'soap', kind: 'invalidCharacter', remaining: 1, fromPage: 2 });
      const { code, stderr } = await s.cli(['cycle']);
      expect(code).toBe(3);
      expect(stderr).toContain('WORKDAY.BAD_RESPONSE');
      expect(stderr).toMatch(/page 2\) is not well-formed XML \(.*entity/);
      expect(stderr).not.toContain('INTERNAL');
      expect(patches(s.graph)).toEqual([]);
      expect(await s.services.watermarks.get('soap:lastRead')).toBeNull();
      // Not retried: the same page would come back the same. The next cycle reads it whole.
      expect(s.workday.tenant.requests.filter((r) => r.summary.includes('injected')).length).toBe(1);
      const next = await runCycle(s.services, { drain: s.services.consumer });
      expect(next.read).toBe('full');
      expect(next.counts.written).toBeGreaterThan(20);
    } finally {
      await s.close();
    }
  }, 120_000);
});
