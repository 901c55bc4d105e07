/** Hand-made worlds for scenario tests that need exact cases rather than a generated mix. */
import type { SimUserSeed, SimWorker, SimWorld } from '../../sim/world';

export function hybridWorker(
  workerId: string,
  overrides: Partial<SimWorker> & { email?: string | null } = {},
): SimWorker {
  const { email, ...rest } = overrides;
  const home =
    email === undefined ? `${workerId.toLowerCase().replace(/[^a-z0-9]/g, '') || 'w'}.home@example.net` : email;
  return {
    workerId,
    workerType: 'Employee',
    employeeType: 'Regular',
    legalEntity: 'Contoso Corp',
    emails: [
      { address: `${workerId.replace(/[^A-Za-z0-9]/g, '') || 'w'}@contoso.com`, usage: 'WORK', primary: true },
      ...(home ? [{ address: home, usage: 'HOME' as const, primary: true }] : []),
    ],
    businessSiteCountry: 'GB',
    homeCountry: 'GB',
    active: true,
    updatedAt: new Date('2026-11-01T00:00:00Z'),
    ...rest,
  };
}

export function syncedUser(employeeId: string, overrides: Partial<SimUserSeed> = {}): SimUserSeed {
  return {
    employeeId,
    displayName: `User ${employeeId}`,
    userPrincipalName: `${encodeURIComponent(employeeId).replace(/%/g, '')}@contoso.com`,
    onPremisesSyncEnabled: true,
    otherMails: [],
    usageLocation: null,
    ...overrides,
  };
}

export function world(workers: SimWorker[], users: SimUserSeed[], pendingUsers: SimUserSeed[] = []): SimWorld {
  return { workers, users, pendingUsers };
}
