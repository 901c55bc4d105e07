/**
 * What `az bicep build` would catch between files, checked without it: every module gets the
 * parameters it requires and only ones it declares, every `module.outputs.x` exists, and every
 * parameter of main.bicep is explained and set in main.parameters.json.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INFRA, modules, outputReferences, outputs, params, parseBicepFile } from './bicep';

const MAIN = join(INFRA, 'main.bicep');
const main = parseBicepFile(MAIN);
const mainModules = modules(main);
const moduleFile = (path: string) => parseBicepFile(resolve(dirname(MAIN), path));

describe('main.bicep modules', () => {
  it.each(mainModules.map((m) => [m.symbol, m]))('%s receives every parameter it requires', (_symbol, module) => {
    const required = params(moduleFile(module.path))
      .filter((p) => !p.hasDefault)
      .map((p) => p.name);
    expect(required.filter((name) => !module.params.includes(name))).toEqual([]);
  });

  it.each(mainModules.map((m) => [m.symbol, m]))('%s receives only parameters it declares', (_symbol, module) => {
    const declared = params(moduleFile(module.path)).map((p) => p.name);
    expect(module.params.filter((name) => !declared.includes(name))).toEqual([]);
  });

  it('reads only outputs the modules declare', () => {
    const outputsOf = new Map(mainModules.map((m) => [m.symbol, outputs(moduleFile(m.path))]));
    const unknown = outputReferences(main)
      .filter(([symbol]) => outputsOf.has(symbol))
      .filter(([symbol, name]) => !outputsOf.get(symbol)!.includes(name))
      .map(([symbol, name]) => `${symbol}.outputs.${name}`);
    expect(unknown).toEqual([]);
  });
});

describe('main.bicep parameters', () => {
  const parameterFile = JSON.parse(readFileSync(join(INFRA, 'main.parameters.json'), 'utf8')) as {
    parameters: Record<string, { value: unknown }>;
  };
  const mainParams = params(main);

  it('explains every parameter in a @description', () => {
    expect(mainParams.filter((p) => !p.description).map((p) => p.name)).toEqual([]);
  });

  it('sets every parameter in main.parameters.json, and nothing else', () => {
    expect(Object.keys(parameterFile.parameters).sort()).toEqual(mainParams.map((p) => p.name).sort());
  });

  it('takes every value from the azd environment', () => {
    const literal = Object.entries(parameterFile.parameters).filter(
      ([, p]) => !/^\$\{[A-Z_]+(=[^}]*)?\}$/.test(String(p.value)),
    );
    expect(literal).toEqual([]);
  });

  it('marks the Workday password @secure() and gives it no default', () => {
    const password = mainParams.find((p) => p.name === 'workdayPassword');
    expect(password?.decorators).toContain('secure');
    expect(password?.hasDefault).toBe(false);
  });

  it('starts with a dry run unless told otherwise', () => {
    expect(parameterFile.parameters.dryRun?.value).toBe('${DRY_RUN=true}');
  });
});
