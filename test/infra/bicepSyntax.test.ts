import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callArguments, filesUnder, INFRA, modules, parseBicep, parseBicepFile, syntaxProblems } from './bicep';

const bicepFiles = filesUnder(INFRA, '.bicep');

describe('Bicep syntax', () => {
  it('finds the Bicep files to check', () => {
    expect(bicepFiles.map((f) => relative(INFRA, f))).toContain('main.bicep');
  });

  it.each(bicepFiles.map((f) => [relative(INFRA, f), f]))('%s parses without errors', (_name, file) => {
    expect(syntaxProblems(parseBicepFile(file))).toEqual([]);
  });

  it('reports a broken file with its line (the check can fail)', () => {
    const problems = syntaxProblems(
      parseBicep("param ok string\nresource x 'Microsoft.Web/sites@2024-04-01' = {\n  name: 'a'\n  properties: {\n"),
    );
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(/^\d+:\d+ (syntax error|missing)/m);
  });
});

describe('Bicep references', () => {
  it.each(bicepFiles.map((f) => [relative(INFRA, f), f]))('%s loads only files that exist', (_name, file) => {
    const loaded = [
      ...callArguments(parseBicepFile(file), 'loadTextContent'),
      ...callArguments(parseBicepFile(file), 'loadJsonContent'),
    ];
    const missing = loaded.filter((path) => !existsSync(resolve(dirname(file), path)));
    expect(missing).toEqual([]);
  });

  it.each(bicepFiles.map((f) => [relative(INFRA, f), f]))('%s uses only module files that exist', (_name, file) => {
    const missing = modules(parseBicepFile(file))
      .map((m) => m.path)
      .filter((path) => !existsSync(resolve(dirname(file), path)));
    expect(missing).toEqual([]);
  });
});
