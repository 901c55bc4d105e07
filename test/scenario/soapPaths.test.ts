/**
 * source.paths in the connector file reaches the SOAP source through the app's own wiring
 * (settings → connector file → services), and a path the source cannot read stops the app
 * before anything is read: exit 2, naming the attribute.
 */
import { writeFileSync } from 'node:fs';
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

const SUPERVISORY =
  "wd:Worker/wd:Worker_Data/wd:Organization_Data/wd:Worker_Organization_Data/wd:Organization_Data[wd:Organization_Type_Reference/wd:ID[@wd:type='Organization_Type_ID']='SUPERVISORY']/wd:Organization_Name/text()";
const soapConnector = (paths: Record<string, string>) => ({
  ...baseConnector(),
  source: { kind: 'soap', pageSize: 50, paths },
});

describe('SOAP source.paths through the app', () => {
  it('reads Legal_Entity from the path the connector file sets, so the scope sees it', async () => {
    // Every simulated worker belongs to the supervisory organisation "Global Operations", which no scope names.
    const s = await startScenario(azurite, {
      world: buildWorld({ size: 40, seed: 7 }),
      connector: soapConnector({ legalEntity: SUPERVISORY }),
    });
    try {
      const summary = await runCycle(s.services, { drain: s.services.consumer });
      expect(summary.counts.written).toBe(0);
      expect(summary.counts.outOfScope).toBeGreaterThan(30);
      expect(patches(s.graph)).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('refuses a path it cannot read at start-up, with exit 2 naming source.paths.<attribute>', async () => {
    const s = await startScenario(azurite, { world: buildWorld({ size: 5, seed: 7 }) });
    try {
      writeFileSync(
        s.connectorPath,
        JSON.stringify(soapConnector({ personalEmail: 'wd:Worker//wd:Email_Address/text()' })),
      );
      const run = await s.cli(['cycle', '--json']);
      expect(run.code).toBe(2);
      expect(run.stderr + run.stdout).toMatch(
        /source\.paths\.personalEmail: .*'\/\/' \(descendant search\) is not supported/,
      );
      expect(s.workday.tenant.requests).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
