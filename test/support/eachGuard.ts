/**
 * Loaded before every test file (vitest.config.mts `setupFiles`). A table-driven test can pass
 * without testing anything: an `it.each` over an empty list registers no case at all, and a row
 * whose checks loop over an empty list asserts nothing. Both look green. Here:
 * - `it.each`, `it.for`, `describe.each` and `describe.for` throw on an empty table, so the file
 *   fails to collect and names the table;
 * - each `it.each` row that ends without one assertion fails, naming the row.
 * Only the plain forms are guarded (`it.skip.each` and the like are built apart by vitest).
 */
import { describe, expect, it } from 'vitest';

const GUARDED = Symbol.for('entra-attribute-writer.eachGuard');

type Table = readonly unknown[] & { raw?: readonly string[] };
type EachFn = (this: unknown, cases: Table, ...values: unknown[]) => (name: unknown, ...rest: unknown[]) => unknown;
type Guardable = { each: EachFn; for: EachFn; [GUARDED]?: true };

/** True for `[]`, and for a tagged-template table with a header and no row. */
export function isEmptyTable(cases: Table, values: readonly unknown[]): boolean {
  return cases.raw ? values.length === 0 : cases.length === 0;
}

/** The row's own function, failing the row when it made no assertion. */
export function assertingRow<A extends unknown[]>(
  name: unknown,
  handler: (...args: A) => unknown,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const before = expect.getState().assertionCalls;
    await handler(...args);
    if (expect.getState().assertionCalls === before)
      throw new Error(
        `the row "${String(args[0])}" of "${String(name)}" made no assertion: its checks ran over nothing`,
      );
  };
}

function guardEmpty(kind: string, original: EachFn): EachFn {
  return function (this: unknown, cases, ...values) {
    const register = original.call(this, cases, ...values);
    return (name, ...rest) => {
      if (isEmptyTable(cases, values))
        throw new Error(`${kind} "${String(name)}" has an empty table: it tests nothing`);
      return register(name, ...rest);
    };
  };
}

function guardRows(original: EachFn): EachFn {
  return function (this: unknown, cases, ...values) {
    const register = original.call(this, cases, ...values);
    return (name, ...rest) => {
      // it.each(table)(name, fn, timeout?) or (name, options, fn)
      const at = rest.findIndex((arg) => typeof arg === 'function');
      const args = at < 0 ? rest : rest.map((arg, i) => (i === at ? assertingRow(name, arg as () => unknown) : arg));
      return register(name, ...args);
    };
  };
}

function guard(api: Guardable, kind: string, rows: boolean): void {
  if (api[GUARDED]) return;
  const each = rows ? guardRows(api.each) : api.each;
  api.each = guardEmpty(`${kind}.each`, each);
  api.for = guardEmpty(`${kind}.for`, api.for);
  api[GUARDED] = true;
}

guard(it as unknown as Guardable, 'it', true);
guard(describe as unknown as Guardable, 'describe', false);
