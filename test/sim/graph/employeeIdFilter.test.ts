import { describe, expect, it } from 'vitest';
import { parseEmployeeIdFilter } from '../../../sim/graph/employeeIdFilter';
import { GraphRefusal } from '../../../sim/graph/responses';

function refusal(filter: string): { code: string; message: string } {
  try {
    parseEmployeeIdFilter(filter);
  } catch (err) {
    if (err instanceof GraphRefusal) {
      const { code, message } = (err.response.body as { error: { code: string; message: string } }).error;
      return { code, message };
    }
    throw err;
  }
  throw new Error(`expected '${filter}' to be refused`);
}

describe('parseEmployeeIdFilter', () => {
  it('reads an eq clause', () => {
    expect(parseEmployeeIdFilter("employeeId eq '100001'").values).toEqual(['100001']);
  });

  it('reads a doubled quote as one quote', () => {
    expect(parseEmployeeIdFilter("employeeId eq 'O''Brien'").values).toEqual(["O'Brien"]);
  });

  it('reads an in list with spaces around the commas', () => {
    expect(parseEmployeeIdFilter("employeeId in ('a', 'b' ,'c''d')").values).toEqual(['a', 'b', "c'd"]);
  });

  it('accepts property and operator names in any case', () => {
    expect(parseEmployeeIdFilter("EmployeeID EQ 'x'").values).toEqual(['x']);
  });

  it('keeps characters that look like OData inside a literal', () => {
    expect(parseEmployeeIdFilter("employeeId eq 'x or employeeId eq y'").values).toEqual(['x or employeeId eq y']);
  });

  it('accepts fifteen values in an in list', () => {
    const values = Array.from({ length: 15 }, (_, i) => `'${i}'`).join(',');
    expect(parseEmployeeIdFilter(`employeeId in (${values})`).values).toHaveLength(15);
  });

  it('refuses sixteen values as Graph does', () => {
    const values = Array.from({ length: 16 }, (_, i) => `'${i}'`).join(',');
    expect(refusal(`employeeId in (${values})`)).toEqual({
      code: 'Request_UnsupportedQuery',
      message:
        "Too many child clauses specified in search filter expression containing 'OR' operators: 16. Max allowed: 15.",
    });
  });

  it('refuses an unescaped quote instead of matching a shorter value', () => {
    expect(refusal("employeeId eq 'O'Brien'").code).toBe('BadRequest');
  });

  it('refuses an unterminated literal', () => {
    expect(refusal("employeeId eq 'abc").message).toContain('Syntax error');
  });

  it('refuses a second clause joined with or (the shape of an injection)', () => {
    expect(refusal("employeeId eq 'x' or employeeId eq 'y'").code).toBe('Request_UnsupportedQuery');
  });

  it('refuses a clause joined with and', () => {
    expect(refusal("employeeId eq 'x' and accountEnabled eq true").code).toBe('Request_UnsupportedQuery');
  });

  it('refuses an injected literal that closes the quote early', () => {
    const injected = "x' or startswith(displayName,'a";
    expect(refusal(`employeeId eq '${injected}'`).code).toMatch(/BadRequest|Request_UnsupportedQuery/);
  });

  it('refuses other operators', () => {
    expect(refusal("employeeId ne 'x'").code).toBe('Request_UnsupportedQuery');
  });

  it('refuses a null or numeric operand', () => {
    expect(refusal('employeeId eq null').code).toBe('Request_UnsupportedQuery');
    expect(refusal('employeeId eq 42').code).toBe('Request_UnsupportedQuery');
  });

  it('refuses a known property other than employeeId', () => {
    expect(refusal("displayName eq 'x'").message).toBe(
      "Unsupported or invalid query filter clause specified for property 'displayName' of resource 'User'.",
    );
  });

  it('refuses an unknown property', () => {
    expect(refusal("employeeNumber eq 'x'")).toEqual({
      code: 'BadRequest',
      message: "Could not find a property named 'employeeNumber' on type 'microsoft.graph.user'.",
    });
  });

  it('refuses functions and parentheses', () => {
    expect(refusal("startswith(employeeId,'1')").code).toBe('Request_UnsupportedQuery');
    expect(refusal("(employeeId eq '1')").code).toBe('Request_UnsupportedQuery');
  });

  it('refuses an empty or unclosed in list', () => {
    expect(refusal('employeeId in ()').code).toBe('BadRequest');
    expect(refusal("employeeId in ('a','b'").code).toBe('BadRequest');
  });

  it('refuses an empty filter', () => {
    expect(refusal('').code).toBe('Request_UnsupportedQuery');
  });
});
