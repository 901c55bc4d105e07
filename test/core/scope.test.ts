import { describe, expect, it } from 'vitest';
import type { Scope, ScopeClause } from '../../src/core/connector';
import { clauseHolds, inScope, scopeOf } from '../../src/core/scope';

const clause = (operator: ScopeClause['operator'], value?: string | string[]): ScopeClause =>
  ({ attribute: 'A', operator, ...(value === undefined ? {} : { value }) }) as ScopeClause;

describe('clauseHolds', () => {
  it('EQUALS holds for the exact value', () => {
    expect(clauseHolds(clause('EQUALS', 'Employee'), 'Employee')).toBe(true);
  });

  it('EQUALS compares case-sensitively, as Entra does', () => {
    expect(clauseHolds(clause('EQUALS', 'Employee'), 'employee')).toBe(false);
  });

  it('EQUALS holds for a list when any value matches', () => {
    expect(clauseHolds(clause('EQUALS', 'B'), ['A', 'B'])).toBe(true);
  });

  it('NOT EQUALS holds for another value', () => {
    expect(clauseHolds(clause('NOT EQUALS', 'Contractor'), 'Employee')).toBe(true);
    expect(clauseHolds(clause('NOT EQUALS', 'Contractor'), 'Contractor')).toBe(false);
  });

  it('NOT EQUALS fails for a list when any value matches', () => {
    expect(clauseHolds(clause('NOT EQUALS', 'B'), ['A', 'B'])).toBe(false);
    expect(clauseHolds(clause('NOT EQUALS', 'C'), ['A', 'B'])).toBe(true);
  });

  it('MEMBER_OF holds when the value is one of the list', () => {
    expect(clauseHolds(clause('MEMBER_OF', ['Contoso Corp', 'Contoso LLC']), 'Contoso LLC')).toBe(true);
    expect(clauseHolds(clause('MEMBER_OF', ['Contoso Corp', 'Contoso LLC']), 'Fabrikam')).toBe(false);
  });

  it('MEMBER_OF holds when any value of a list attribute is in the list', () => {
    expect(clauseHolds(clause('MEMBER_OF', ['Contoso LLC']), ['Fabrikam', 'Contoso LLC'])).toBe(true);
  });

  it.each(['1', 'true', 'TRUE', 'True'])('IS TRUE holds for %s', (value) => {
    expect(clauseHolds(clause('IS TRUE'), value)).toBe(true);
  });

  it.each(['0', 'false', 'yes', 'Y'])('IS TRUE fails for %s', (value) => {
    expect(clauseHolds(clause('IS TRUE'), value)).toBe(false);
  });

  it.each(['0', 'false', 'FALSE'])('IS FALSE holds for %s', (value) => {
    expect(clauseHolds(clause('IS FALSE'), value)).toBe(true);
  });

  it.each(['1', 'true', 'no'])('IS FALSE fails for %s', (value) => {
    expect(clauseHolds(clause('IS FALSE'), value)).toBe(false);
  });

  it('IS NULL holds only for a missing value', () => {
    expect(clauseHolds(clause('IS NULL'), null)).toBe(true);
    expect(clauseHolds(clause('IS NULL'), undefined)).toBe(true);
    expect(clauseHolds(clause('IS NULL'), 'x')).toBe(false);
  });

  it('IS NOT NULL holds only for a present value', () => {
    expect(clauseHolds(clause('IS NOT NULL'), 'x')).toBe(true);
    expect(clauseHolds(clause('IS NOT NULL'), ['x'])).toBe(true);
    expect(clauseHolds(clause('IS NOT NULL'), null)).toBe(false);
  });

  it('REGEX MATCH holds when the pattern matches anywhere, as .NET IsMatch does', () => {
    expect(clauseHolds(clause('REGEX MATCH', '^W\\d+$'), 'W123')).toBe(true);
    expect(clauseHolds(clause('REGEX MATCH', 'Corp'), 'Contoso Corp')).toBe(true);
    expect(clauseHolds(clause('REGEX MATCH', '^W\\d+$'), 'C123')).toBe(false);
  });

  it('NOT REGEX MATCH holds when no value matches', () => {
    expect(clauseHolds(clause('NOT REGEX MATCH', '^Temp'), 'Regular')).toBe(true);
    expect(clauseHolds(clause('NOT REGEX MATCH', '^Temp'), ['Regular', 'Temporary'])).toBe(false);
  });

  it.each([
    ['EQUALS', 'x'],
    ['NOT EQUALS', 'x'],
    ['MEMBER_OF', ['x']],
    ['IS TRUE', undefined],
    ['IS FALSE', undefined],
    ['REGEX MATCH', '.*'],
    ['NOT REGEX MATCH', 'x'],
  ] as const)('a null attribute makes %s false', (operator, value) => {
    expect(clauseHolds(clause(operator, value as string | string[] | undefined), null)).toBe(false);
  });
});

describe('inScope', () => {
  const employeeInCorp: Scope = [
    [
      { attribute: 'Worker_Type', operator: 'EQUALS', value: 'Employee' },
      { attribute: 'Legal_Entity', operator: 'MEMBER_OF', value: ['Contoso Corp'] },
    ],
  ];

  it('needs every clause of a group (AND)', () => {
    expect(inScope(employeeInCorp, { Worker_Type: 'Employee', Legal_Entity: 'Contoso Corp' })).toBe(true);
    expect(inScope(employeeInCorp, { Worker_Type: 'Employee', Legal_Entity: 'Fabrikam' })).toBe(false);
  });

  it('needs any one group (OR)', () => {
    const scope: Scope = [...employeeInCorp, [{ attribute: 'Active', operator: 'IS TRUE' }]];
    expect(inScope(scope, { Worker_Type: 'Contractor', Active: '1' })).toBe(true);
  });

  it('treats an attribute the record lacks as null', () => {
    expect(inScope(employeeInCorp, { Worker_Type: 'Employee' })).toBe(false);
  });

  it('puts nobody in an empty scope', () => {
    expect(inScope([], { Worker_Type: 'Employee' })).toBe(false);
  });
});

describe('scopeOf', () => {
  const connector = {
    scope: [[{ attribute: 'Worker_Type', operator: 'EQUALS', value: 'Employee' }]] as Scope,
    cloudOnlyScope: [[{ attribute: 'Legal_Entity', operator: 'EQUALS', value: 'Cloud Co' }]] as Scope,
  };

  it('calls a worker in the hybrid scope only hybrid', () => {
    expect(scopeOf(connector, { Worker_Type: 'Employee', Legal_Entity: 'Contoso Corp' })).toBe('hybrid');
  });

  it('calls a worker outside the hybrid scope out of scope, whatever the cloud-only scope says', () => {
    expect(scopeOf(connector, { Worker_Type: 'Contractor', Legal_Entity: 'Cloud Co' })).toBe('outOfScope');
  });

  it('calls a worker in both scopes a conflict', () => {
    expect(scopeOf(connector, { Worker_Type: 'Employee', Legal_Entity: 'Cloud Co' })).toBe('bothScopes');
  });

  it('never finds a conflict when there is no cloud-only scope', () => {
    expect(scopeOf({ ...connector, cloudOnlyScope: [] }, { Worker_Type: 'Employee', Legal_Entity: 'Cloud Co' })).toBe(
      'hybrid',
    );
  });
});
