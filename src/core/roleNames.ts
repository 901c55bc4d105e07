/**
 * Names of the built-in directory roles a `denied privilegedTarget` most often meets, by template
 * id ("Microsoft Entra built-in roles", https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference).
 * Any other role is shown by its id, which the admin center's Roles and administrators page finds.
 */
const ROLE_NAMES: Readonly<Record<string, string>> = {
  '62e90394-69f5-4237-9190-012177145e10': 'Global Administrator',
  'e8611ab8-c189-46e8-94e1-60213ab1f814': 'Privileged Role Administrator',
  '7be44c8a-adaf-4e2a-84d6-ab2649e08a13': 'Privileged Authentication Administrator',
  '194ae4cb-b126-40b2-bd5b-6091b380977d': 'Security Administrator',
  'fe930be7-5e62-47db-91af-98c3a49a38b1': 'User Administrator',
  'c4e39bd9-1100-46d3-8c65-fb160da0071f': 'Authentication Administrator',
  '729827e3-9c14-49f7-bb1b-9608f156bbb8': 'Helpdesk Administrator',
  '966707d0-3269-4727-9be2-8c3a10f19b9d': 'Password Administrator',
  '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3': 'Application Administrator',
  '158c047a-c907-4556-b7ef-446551a6b5f7': 'Cloud Application Administrator',
  '8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2': 'Hybrid Identity Administrator',
};

/** `Global Administrator`, or `the role 0c1d…` for one not in the table. */
export function roleName(roleDefinitionId: string | null): string {
  if (roleDefinitionId === null) return 'a directory role';
  return ROLE_NAMES[roleDefinitionId.toLowerCase()] ?? `the directory role ${roleDefinitionId}`;
}
