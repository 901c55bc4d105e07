import { describe, expect, it } from 'vitest';
import { assertingRow, isEmptyTable } from './eachGuard';

describe('the empty-table guard', () => {
  it('refuses an it.each, it.for or describe.each over an empty list, naming the table', () => {
    expect(() => it.each([])('a case per id', () => {})).toThrow(/it\.each "a case per id" has an empty table/);
    expect(() => it.for([])('a case per id', () => {})).toThrow(/it\.for "a case per id" has an empty table/);
    expect(() => describe.each([])('per source', () => {})).toThrow(/describe\.each "per source" has an empty table/);
  });

  it('tells an empty table from one with rows, in both forms', () => {
    const template = (strings: TemplateStringsArray, ...values: unknown[]) => isEmptyTable(strings, values);
    expect(isEmptyTable([], [])).toBe(true);
    expect(isEmptyTable([['W1']], [])).toBe(false);
    expect(template`id | code`).toBe(true);
    expect(template`id | code
      ${'W1'} | ${'written'}`).toBe(false);
  });

  it('fails a row that asserts nothing, and passes one that asserts', async () => {
    // Each row runs to its end before anything here asserts: the guard counts the row's assertions alone.
    const outcome = (row: Promise<void>) =>
      row.then(
        () => 'passed',
        (err: Error) => err.message,
      );
    const ids: string[] = [];
    const vacuous = await outcome(
      assertingRow('each id is kept', () => ids.forEach((id) => void expect(id).toBeTruthy()))(),
    );
    const real = await outcome(assertingRow('one id', (id: string) => expect(id).toBe('W1'))('W1'));
    expect(vacuous).toMatch(/the row "undefined" of "each id is kept" made no assertion/);
    expect(real).toBe('passed');
  });
});
