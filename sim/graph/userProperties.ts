/**
 * The user properties Graph v1.0 knows, and what Graph lets a PATCH do with each. The simulator
 * models only some values (see SimUser); the rest read as null/[] until written.
 */

/** Returned when a request has no $select (Graph's default user set). */
export const DEFAULT_USER_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
] as const;

const COLLECTIONS = [
  'businessPhones',
  'imAddresses',
  'otherMails',
  'proxyAddresses',
  'identities',
  'assignedLicenses',
  'assignedPlans',
  'provisionedPlans',
  'onPremisesProvisioningErrors',
  'licenseAssignmentStates',
];

const READ_ONLY = [
  'id',
  'createdDateTime',
  'deletedDateTime',
  'creationType',
  'externalUserState',
  'externalUserStateChangeDateTime',
  'imAddresses',
  'lastPasswordChangeDateTime',
  'legalAgeGroupClassification',
  'licenseAssignmentStates',
  'assignedLicenses',
  'assignedPlans',
  'provisionedPlans',
  'onPremisesDistinguishedName',
  'onPremisesDomainName',
  'onPremisesLastSyncDateTime',
  'onPremisesProvisioningErrors',
  'onPremisesSamAccountName',
  'onPremisesSecurityIdentifier',
  'onPremisesSyncEnabled',
  'onPremisesUserPrincipalName',
  'proxyAddresses',
  'securityIdentifier',
  'signInSessionsValidFromDateTime',
  'isResourceAccount',
];

/** Written by Cloud Sync from AD: Graph refuses to change them on a synced user. */
const ON_PREMISES_MASTERED = [
  'accountEnabled',
  'businessPhones',
  'city',
  'companyName',
  'country',
  'department',
  'displayName',
  'employeeHireDate',
  'employeeId',
  'employeeOrgData',
  'employeeType',
  'faxNumber',
  'givenName',
  'jobTitle',
  'mail',
  'mailNickname',
  'mobilePhone',
  'officeLocation',
  'onPremisesExtensionAttributes',
  'onPremisesImmutableId',
  'postalCode',
  'preferredLanguage',
  'showInAddressList',
  'state',
  'streetAddress',
  'surname',
  'userPrincipalName',
];

const CLOUD_WRITABLE = [
  'otherMails',
  'usageLocation',
  'passwordPolicies',
  'passwordProfile',
  'preferredDataLocation',
  'ageGroup',
  'consentProvidedForMinor',
  'identities',
  'userType',
  'employeeLeaveDateTime',
];

/** Sensitive: Graph answers 403 when an app writes them on a privileged-role holder. */
export const SENSITIVE_PROPERTIES: ReadonlySet<string> = new Set([
  'otherMails',
  'mobilePhone',
  'businessPhones',
  'accountEnabled',
  'passwordProfile',
]);

const ALL = [
  ...new Set([...DEFAULT_USER_PROPERTIES, ...COLLECTIONS, ...READ_ONLY, ...ON_PREMISES_MASTERED, ...CLOUD_WRITABLE]),
];
const CANONICAL = new Map(ALL.map((name) => [name.toLowerCase(), name]));
const READ_ONLY_SET = new Set(READ_ONLY);
const MASTERED_SET = new Set(ON_PREMISES_MASTERED);
const COLLECTION_SET = new Set(COLLECTIONS);

/** `extension_<appId without dashes>_<name>`: a directory extension attribute. */
export const EXTENSION_PROPERTY = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]+$/i;

/** Graph matches property names case-insensitively and answers with its own spelling. */
export function canonicalUserProperty(name: string): string | undefined {
  return CANONICAL.get(name.toLowerCase());
}

export function isReadOnlyProperty(name: string): boolean {
  return READ_ONLY_SET.has(name);
}

export function isOnPremisesMastered(name: string): boolean {
  return MASTERED_SET.has(name);
}

/** What Graph shows for a property nobody has set. */
export function unsetValueOf(name: string): unknown {
  return COLLECTION_SET.has(name) ? [] : null;
}
