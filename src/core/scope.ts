/**
 * Scoping filters as Entra evaluates them: groups OR-ed, clauses of a group AND-ed, and a null
 * attribute makes a clause false (IS NULL aside); and why a worker is out of scope, in words an
 * operator can act on: for each scope group, the first clause the worker fails and the value it
 * failed on. Scope values are organisation data (a legal entity, a worker type, a country), but a
 * scope may test any column, the personal email's included, so every value shown passes the one
 * masking function first.
 */
import type { Scope, ScopeClause } from './connector';
import { maskPersonalData } from './mask';
import type { AttributeValue } from './ports';
import { printableText } from './printableText';

const TRUE_VALUES = new Set(['1', 'true']);
const FALSE_VALUES = new Set(['0', 'false']);
const regexCache = new Map<string, RegExp>();

function regexOf(pattern: string): RegExp {
  let regex = regexCache.get(pattern);
  if (!regex) {
    regex = new RegExp(pattern, 'u');
    regexCache.set(pattern, regex);
  }
  return regex;
}

function valuesOf(value: AttributeValue | undefined): string[] | null {
  if (value === null || value === undefined) return null;
  return Array.isArray(value) ? value : [value];
}

/** A list-valued attribute satisfies a positive clause when any value does, a negative one when all do. */
export function clauseHolds(clause: ScopeClause, value: AttributeValue | undefined): boolean {
  const values = valuesOf(value);
  if (clause.operator === 'IS NULL') return values === null;
  if (clause.operator === 'IS NOT NULL') return values !== null;
  if (values === null) return false;
  const expected = clause.value;
  switch (clause.operator) {
    case 'EQUALS':
      return values.some((v) => v === expected);
    case 'NOT EQUALS':
      return values.every((v) => v !== expected);
    case 'MEMBER_OF':
      return values.some((v) => (expected as string[]).includes(v));
    case 'IS TRUE':
      return values.some((v) => TRUE_VALUES.has(v.toLowerCase()));
    case 'IS FALSE':
      return values.some((v) => FALSE_VALUES.has(v.toLowerCase()));
    case 'REGEX MATCH':
      return values.some((v) => regexOf(expected as string).test(v));
    case 'NOT REGEX MATCH':
      return values.every((v) => !regexOf(expected as string).test(v));
  }
}

export function inScope(scope: Scope, attributes: Readonly<Record<string, AttributeValue>>): boolean {
  return scope.some((group) => group.every((clause) => clauseHolds(clause, attributes[clause.attribute])));
}

export type ScopeVerdict = 'hybrid' | 'outOfScope' | 'bothScopes';

/** Safety rule 3: a worker in both the hybrid and the cloud-only scope is a conflict, never written. */
export function scopeOf(
  connector: { scope: Scope; cloudOnlyScope: Scope },
  attributes: Readonly<Record<string, AttributeValue>>,
): ScopeVerdict {
  const hybrid = inScope(connector.scope, attributes);
  if (!hybrid) return 'outOfScope';
  return inScope(connector.cloudOnlyScope, attributes) ? 'bothScopes' : 'hybrid';
}

/** E.g. `Legal_Entity MEMBER_OF [Contoso Corp, Contoso LLC] fails on 'Fabrikam Holdings'`. */
export function whyOutOfScope(scope: Scope, attributes: Readonly<Record<string, AttributeValue>>): string {
  const misses = scope.map((group) => {
    const failed = group.find((clause) => !clauseHolds(clause, attributes[clause.attribute]));
    return failed ? describeMiss(failed, attributes[failed.attribute]) : 'holds';
  });
  if (misses.length === 0) return 'the scope has no group, so no worker is in it';
  if (misses.length === 1) return `not in scope: ${misses[0]}`;
  return `not in scope, no group holds: ${misses.map((miss, i) => `group ${i + 1}: ${miss}`).join('; ')}`;
}

function describeMiss(clause: ScopeClause, value: AttributeValue | undefined): string {
  return `${clause.attribute} ${clause.operator}${expectedOf(clause)} fails on ${shown(value)}`;
}

function expectedOf(clause: ScopeClause): string {
  if (clause.value === undefined || clause.value === null) return '';
  if (Array.isArray(clause.value)) return ` [${clause.value.map((v) => `'${text(v)}'`).join(', ')}]`;
  return ` '${text(clause.value)}'`;
}

function shown(value: AttributeValue | undefined): string {
  if (value === null || value === undefined) return 'an empty value';
  const values = Array.isArray(value) ? value : [value];
  return values.map((v) => `'${text(v)}'`).join(', ');
}

/** Masked before it is cut short: a cut address no longer looks like one. */
function text(value: string): string {
  return printableText(maskPersonalData(value));
}
