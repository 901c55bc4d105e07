/** azure.yaml against the Bicep it deploys with: the names azd matches on must agree. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { INFRA, outputs, parseBicepFile } from './bicep';

const ROOT = resolve(INFRA, '..');
const azureYaml = parse(readFileSync(join(ROOT, 'azure.yaml'), 'utf8')) as {
  services: Record<string, { project: string; language: string; host: string }>;
  hooks: { postprovision: { posix: { run: string } } };
};

describe('azure.yaml', () => {
  it('deploys this folder as the TypeScript function app service api', () => {
    expect(azureYaml.services).toEqual({ api: { project: '.', language: 'ts', host: 'function' } });
  });

  it('tags the function app with the service name azd deploys to', () => {
    const api = readFileSync(join(INFRA, 'app/api.bicep'), 'utf8');
    expect(api).toContain("'azd-service-name': 'api'");
  });

  it('runs the grant script with an identity the Bicep outputs', () => {
    const run = azureYaml.hooks.postprovision.posix.run;
    expect(run).toContain('./infra/grant-graph-permissions.sh');
    expect(existsSync(join(INFRA, 'grant-graph-permissions.sh'))).toBe(true);
    const variables = [...run.matchAll(/\$([A-Z_]+)/g)].map((m) => m[1]);
    expect(variables.filter((v) => !outputs(parseBicepFile(join(INFRA, 'main.bicep'))).includes(v!))).toEqual([]);
  });
});
