/**
 * host.json as the Functions host reads it. Sampling `excludedTypes` takes telemetry types the
 * host recognises ("host.json reference for Azure Functions 2.x and later", applicationInsights.
 * samplingSettings: Dependency, Event, Exception, PageView, Request, Trace); an unknown name is
 * ignored without a word, and the per-worker outcome events (custom events, type Event) must
 * never be sampled away.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const RECOGNISED = ['Dependency', 'Event', 'Exception', 'PageView', 'Request', 'Trace'];
const host = JSON.parse(readFileSync(join(__dirname, '..', '..', 'host.json'), 'utf8')) as {
  logging: { applicationInsights: { samplingSettings: { isEnabled: boolean; excludedTypes: string } } };
};

describe('host.json sampling', () => {
  const excluded = host.logging.applicationInsights.samplingSettings.excludedTypes.split(';');

  it('names only telemetry types the Functions host recognises', () => {
    expect(excluded.filter((type) => !RECOGNISED.includes(type))).toEqual([]);
  });

  it('keeps custom events (WorkerOutcome, RunCompleted), requests and exceptions out of sampling', () => {
    expect(excluded).toEqual(expect.arrayContaining(['Event', 'Request', 'Exception']));
  });
});
