/**
 * Why a worker is out of scope, in words an operator can act on: for each scope group, the first
 * clause the worker fails and the value it failed on. Scope values are organisation data (a legal
 * entity, a worker type, a country), but a scope may test any column, the personal email's
 * included, so every value shown passes the one masking function first.
 */
import type { Scope, ScopeClause } from './connector';
import { maskPersonalData } from './mask';
import { clauseHolds } from './scope';
import { printableText, type AttributeValue } from './worker';

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
