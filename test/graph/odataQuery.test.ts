import { describe, expect, it } from 'vitest';
import {
  assertEmployeeId,
  deletedUsersByEmployeeIdPath,
  employeeIdFilter,
  encodeQueryValue,
  odataLiteral,
  pathSegment,
  userSelect,
  usersByEmployeeIdPath,
} from '../../src/graph/odataQuery';

/** What Graph sees after percent-decoding the `$filter` option. */
function decodedFilter(path: string): string {
  return new URLSearchParams(path.slice(path.indexOf('?') + 1)).get('$filter') ?? '';
}

describe('odataLiteral', () => {
  it('quotes a plain id', () => {
    expect(odataLiteral('100042')).toBe("'100042'");
  });

  it("doubles every quote, so O'Brien cannot close the literal", () => {
    expect(odataLiteral("O'Brien")).toBe("'O''Brien'");
    expect(odataLiteral("''")).toBe("''''''");
  });
});

describe('employeeIdFilter', () => {
  it('uses eq for one id', () => {
    expect(employeeIdFilter(['100042'])).toBe("employeeId eq '100042'");
  });

  it('uses in (…) for several ids', () => {
    expect(employeeIdFilter(['1', "x'y"])).toBe("employeeId in ('1','x''y')");
  });

  it('refuses more than 15 values', () => {
    const ids = Array.from({ length: 16 }, (_, i) => String(i));
    expect(() => employeeIdFilter(ids)).toThrow(/1 to 15/);
  });

  it('keeps an injection attempt inside its literal', () => {
    expect(employeeIdFilter(["1' or 1 eq 1"])).toBe("employeeId eq '1'' or 1 eq 1'");
  });
});

describe('assertEmployeeId', () => {
  it('accepts 16 characters, unicode included', () => {
    expect(() => assertEmployeeId('ÅÄÖ-1234567890ab')).not.toThrow();
  });

  it('refuses 17 characters with INPUT.INVALID', () => {
    expect(() => assertEmployeeId('12345678901234567')).toThrow(expect.objectContaining({ code: 'INPUT.INVALID' }));
  });

  it('refuses an empty id', () => {
    expect(() => assertEmployeeId('')).toThrow(expect.objectContaining({ code: 'INPUT.INVALID' }));
  });

  it('refuses control characters', () => {
    expect(() => assertEmployeeId('12\n34')).toThrow(expect.objectContaining({ code: 'INPUT.INVALID' }));
  });
});

describe('encodeQueryValue', () => {
  it('percent-encodes quotes, parentheses, & # + and spaces', () => {
    expect(encodeQueryValue("a'(b)&c#d+e f*!")).toBe('a%27%28b%29%26c%23d%2Be%20f%2A%21');
  });

  it('encodes unicode as UTF-8', () => {
    expect(encodeQueryValue('é')).toBe('%C3%A9');
  });
});

describe('usersByEmployeeIdPath', () => {
  const select = userSelect();

  it('selects the properties the writer reads', () => {
    const path = usersByEmployeeIdPath(['1'], select);
    expect(new URLSearchParams(path.split('?')[1]).get('$select')).toBe(
      'id,employeeId,otherMails,usageLocation,onPremisesSyncEnabled,userPrincipalName',
    );
  });

  it('round-trips hostile ids to exactly one literal each', () => {
    const ids = ["O'Brien", 'a&$top=1', 'x) or (y', 'ü#1', '100%'];
    const path = usersByEmployeeIdPath(ids, select);
    expect(path.startsWith('/users?$filter=')).toBe(true);
    expect([...new URLSearchParams(path.split('?')[1]).keys()]).toEqual(['$filter', '$select']);
    expect(decodedFilter(path)).toBe("employeeId in ('O''Brien','a&$top=1','x) or (y','ü#1','100%')");
  });
});

describe('deletedUsersByEmployeeIdPath', () => {
  it('filters deletedItems by one employeeId with $select', () => {
    const path = deletedUsersByEmployeeIdPath(["O'B"], userSelect());
    expect(path.startsWith('/directory/deletedItems/microsoft.graph.user?$filter=')).toBe(true);
    expect(decodedFilter(path)).toBe("employeeId eq 'O''B'");
  });

  it('filters deletedItems by several employeeIds with in (…), as the live users', () => {
    expect(decodedFilter(deletedUsersByEmployeeIdPath(['A1', "O'B"], userSelect()))).toBe(
      "employeeId in ('A1','O''B')",
    );
  });
});

describe('userSelect', () => {
  it('adds extension attributes once each', () => {
    const ext = `extension_${'a'.repeat(32)}_costCenter`;
    expect(userSelect([ext, ext])).toBe(
      `id,employeeId,otherMails,usageLocation,onPremisesSyncEnabled,userPrincipalName,${ext}`,
    );
  });

  it('refuses a name that is not a directory extension', () => {
    expect(() => userSelect(['displayName'])).toThrow(expect.objectContaining({ code: 'CONFIG.INVALID_CONNECTOR' }));
  });
});

describe('pathSegment', () => {
  it('encodes a user id as one segment', () => {
    expect(pathSegment('a/b?c', 'user id')).toBe('a%2Fb%3Fc');
  });

  it('refuses dot segments that would climb out of /users', () => {
    expect(() => pathSegment('..', 'user id')).toThrow(expect.objectContaining({ code: 'INPUT.INVALID' }));
  });
});
