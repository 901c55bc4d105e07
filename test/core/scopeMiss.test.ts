import { describe, expect, it } from 'vitest';
import type { Scope } from '../../src/core/connector';
import { whyOutOfScope } from '../../src/core/scope';

const employees: Scope = [
  [
    { attribute: 'Worker_Type', operator: 'EQUALS', value: 'Employee' },
    { attribute: 'Legal_Entity', operator: 'MEMBER_OF', value: ['Contoso Corp', 'Contoso LLC'] },
  ],
];

describe('whyOutOfScope', () => {
  it('names the first clause the worker fails and the value it failed on', () => {
    expect(whyOutOfScope(employees, { Worker_Type: 'Employee', Legal_Entity: 'Fabrikam Holdings' })).toBe(
      "not in scope: Legal_Entity MEMBER_OF ['Contoso Corp', 'Contoso LLC'] fails on 'Fabrikam Holdings'",
    );
  });

  it('says when the value is missing', () => {
    expect(whyOutOfScope(employees, { Worker_Type: null })).toBe(
      "not in scope: Worker_Type EQUALS 'Employee' fails on an empty value",
    );
  });

  it('names one failing clause per group when the scope has several', () => {
    const scope: Scope = [...employees, [{ attribute: 'CountryISO', operator: 'EQUALS', value: 'US' }]];
    expect(whyOutOfScope(scope, { Worker_Type: 'Contingent_Worker', CountryISO: 'DE' })).toBe(
      "not in scope, no group holds: group 1: Worker_Type EQUALS 'Employee' fails on 'Contingent_Worker'; group 2: CountryISO EQUALS 'US' fails on 'DE'",
    );
  });

  it('never shows a personal email a clause tests in full', () => {
    const scope: Scope = [[{ attribute: 'personalEmail', operator: 'REGEX MATCH', value: '@contoso\\.com$' }]];
    const why = whyOutOfScope(scope, { personalEmail: 'jane.doe@example.com' });
    expect(why).toContain("'j***@example.com'");
    expect(why).not.toContain('jane');
  });
});
