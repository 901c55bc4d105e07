/**
 * A write Graph refused for one user (outcome `denied`), said as what it means and what to do,
 * with Graph's own words and request ids kept at the end for Microsoft support.
 *
 * Microsoft Graph "Update user" (https://learn.microsoft.com/graph/api/user-update): sensitive
 * properties such as `otherMails` of a user with a privileged administrator role can be changed
 * app-only only by an app that itself holds a higher privileged administrator role ("Who can
 * perform sensitive actions"). This connector never holds one, on purpose (safety rule 4), and
 * screens role holders before writing (privilegedTarget.ts), so this refusal means the user
 * gained a role after the screen last read the role holders, or is protected another way.
 */

export interface Refusal {
  code: string;
  message: string;
}

/** `what`: the user's properties (the PATCH) or the SSPR authentication email method. */
export function refusalDetail(refusal: Refusal, what: 'user' | 'authenticationEmail'): string {
  const target =
    what === 'user'
      ? "Graph refused to change this user's properties"
      : "Graph refused to set this user's authentication email method";
  const meaning =
    refusal.code === 'Authorization_RequestDenied'
      ? 'the user most likely holds an administrator role, gained after the privileged-target screen last read the role holders (or sits in a restricted management administrative unit); an app may change such a user only with a higher privileged administrator role, which this connector never holds'
      : 'the refusal is about this user, not the app (its token holds the write roles)';
  const todo =
    'nothing was written; if the user needs an alternate email, a Privileged Authentication Administrator sets it by hand; if the role is not meant to be held, remove it and run `resync <workerId>`';
  const said = refusal.message ? `; Graph said: ${refusal.message}` : '';
  return `${target} (403 ${refusal.code}): ${meaning}. What to do: ${todo}${said}`;
}
