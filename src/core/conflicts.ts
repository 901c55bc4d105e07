/**
 * The conflicts a cycle, a job and a resync find, each with the detail that leads to its fix.
 * A duplicate employeeId names the users by object id (what Entra's admin center and every
 * Graph tool search by) and by masked UPN: a UPN has the shape of an address and its local part
 * is usually the person's name, so it passes the one masking function like every address
 * (docs/security.md, "Outputs"); the object id alone identifies the user.
 */
import { maskEmail } from './mask';
import type { Outcome } from './outcome';
import type { DirectoryUser } from './ports';

/** How many users a duplicate-id detail names; more are counted, not listed. */
const NAMED_USERS = 5;

export function duplicateEmployeeIdConflict(
  workerId: string,
  employeeId: string,
  users: readonly Pick<DirectoryUser, 'id' | 'userPrincipalName' | 'onPremisesSyncEnabled'>[],
): Outcome {
  const named = users.slice(0, NAMED_USERS).map(describeUser).join(', ');
  const more = users.length > NAMED_USERS ? ` and ${users.length - NAMED_USERS} more` : '';
  return {
    code: 'conflict',
    workerId,
    reason: 'duplicateEmployeeId',
    detail:
      `${users.length} users share employeeId '${employeeId}': ${named}${more}; none is written. ` +
      'Keep the employeeId on the one user that is this worker (for a synced user, in Active Directory) and clear it on the others; the next cycle writes that user',
  };
}

function describeUser(user: Pick<DirectoryUser, 'id' | 'userPrincipalName' | 'onPremisesSyncEnabled'>): string {
  const upn = user.userPrincipalName ? maskEmail(user.userPrincipalName) : 'UPN not read';
  return `${user.id} (${upn}, ${user.onPremisesSyncEnabled === true ? 'synced' : 'cloud-only'})`;
}

export function duplicateWorkerIdConflict(workerId: string): Outcome {
  return {
    code: 'conflict',
    workerId,
    reason: 'duplicateWorkerId',
    detail: 'several workers share this id (employeeId matching ignores case); none is written',
  };
}

export function sharedEmailConflict(workerId: string, workers: number): Outcome {
  return {
    code: 'conflict',
    workerId,
    reason: 'sharedPersonalEmail',
    detail: `${workers} in-scope workers share this personal email; two accounts resetting to one mailbox is an account-takeover path`,
  };
}
