/**
 * The application roles of the calling app, as Graph checks them before anything else about a
 * write: without a granting role every write answers 403 `Authorization_RequestDenied` with the
 * same body a privileged target gets ("Update user" and "Create emailMethod" in the Graph
 * reference list the roles). A role granted in Entra takes a while to reach Graph: tests model
 * that with `setAppRoles`.
 */
import { GraphRefusal } from './responses';
import type { SimRuntime } from './simRuntime';

const OTHER_MAILS = ['User-Mail.ReadWrite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'];
const USER_PROPERTIES = ['User.ReadUpdate.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'];
const AUTHENTICATION_EMAIL = ['UserAuthMethod-Email.ReadWrite.All', 'UserAuthenticationMethod.ReadWrite.All'];

/** PATCH /users/{id}: otherMails needs a mail role, any other property a user-update role. */
export function requireUserPatchRoles(runtime: SimRuntime, body: unknown): void {
  if (runtime.appRoles === null || typeof body !== 'object' || body === null) return;
  for (const name of Object.keys(body)) {
    if (!name.startsWith('@odata.'))
      requireRole(runtime, name.toLowerCase() === 'othermails' ? OTHER_MAILS : USER_PROPERTIES);
  }
}

export function requireAuthenticationEmailRole(runtime: SimRuntime): void {
  requireRole(runtime, AUTHENTICATION_EMAIL);
}

function requireRole(runtime: SimRuntime, granting: readonly string[]): void {
  const held = runtime.appRoles;
  if (held === null || granting.some((role) => held.has(role))) return;
  throw new GraphRefusal(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
}
