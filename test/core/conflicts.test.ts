import { describe, expect, it } from 'vitest';
import { duplicateEmployeeIdConflict } from '../../src/core/conflicts';

const user = (n: number, upn: string | null = `person.${n}@contoso.com`) => ({
  id: `00000000-0000-0000-0000-00000000000${n}`,
  userPrincipalName: upn,
  onPremisesSyncEnabled: n === 1 ? true : null,
});

describe('duplicateEmployeeIdConflict', () => {
  it('names each user by object id and masked UPN, synced or cloud-only, and says what to fix', () => {
    const outcome = duplicateEmployeeIdConflict('W1', 'w1', [user(1), user(2)]);
    expect(outcome).toMatchObject({ code: 'conflict', workerId: 'W1', reason: 'duplicateEmployeeId' });
    expect(outcome.detail).toContain(
      "2 users share employeeId 'w1': 00000000-0000-0000-0000-000000000001 (p***@contoso.com, synced), 00000000-0000-0000-0000-000000000002 (p***@contoso.com, cloud-only); none is written.",
    );
    expect(outcome.detail).toContain('clear it on the others');
    expect(outcome.detail).not.toContain('person.');
  });

  it("masks a guest's UPN, which carries the guest's home address", () => {
    const detail = duplicateEmployeeIdConflict('W1', 'W1', [
      user(1, 'jane.doe_example.com#EXT#@contoso.onmicrosoft.com'),
      user(2),
    ]).detail;
    expect(detail).toContain('j***@contoso.onmicrosoft.com');
    expect(detail).not.toContain('jane');
  });

  it('lists at most five users and counts the rest', () => {
    const users = [1, 2, 3, 4, 5, 6, 7].map((n) => user(n, null));
    const detail = duplicateEmployeeIdConflict('W1', 'W1', users).detail!;
    expect(detail).toContain('7 users share');
    expect(detail).toContain('UPN not read');
    expect(detail).toContain('and 2 more');
    expect(detail).not.toContain('000000000006');
  });
});
