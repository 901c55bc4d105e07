#!/usr/bin/env bash
# Grants the function app's managed identity exactly the Microsoft Graph application roles that
# the connector file's mappings need, and nothing else:
#   User.Read.All                        always (find users by employeeId, soft-deleted users)
#   User-Mail.ReadWrite.All              when otherMails is mapped
#   User.ReadUpdate.All                  when usageLocation or an extension_* attribute is mapped
#   UserAuthMethod-Email.ReadWrite.All   when authenticationEmail is mapped (never the Tier-0
#                                        UserAuthenticationMethod.ReadWrite.All)
#   RoleManagement.Read.Directory,       when a reset channel (otherMails, authenticationEmail) is
#   GroupMember.Read.All and             mapped: the privileged-target screen reads role holders
#   PrivilegedEligibilitySchedule.Read.AzureADGroup
#
# Usage: infra/grant-graph-permissions.sh [connector.json] [managed identity object id]
#   The object id defaults to API_IDENTITY_PRINCIPAL_ID from the azd environment (`azd up` sets it).
#   GRAPH_URL overrides https://graph.microsoft.com for national clouds.
#
# Idempotent: it lists the identity's current assignments first, grants only what is missing,
# prints what it granted and what it left alone, and never removes anything: roles the mapping
# does not need are listed (broader ones as a WARNING) with the command that would remove them.
# Needs the Azure CLI signed in (`az login`) as someone who may grant application permissions
# (Privileged Role Administrator, or Global Administrator), and node (no jq needed).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
connector="${1:-./connector.json}"
principal_id="${2:-}"
graph_url="${GRAPH_URL:-https://graph.microsoft.com}"
graph_app_id='00000003-0000-0000-c000-000000000000'

fail() { echo "grant-graph-permissions: $*" >&2; exit 2; }

command -v az >/dev/null || fail "the Azure CLI (az) is not installed"
command -v node >/dev/null || fail "node is not installed"
[[ -f "$connector" ]] || fail "no connector file at $connector (pass its path as the first argument)"

if [[ -z "$principal_id" ]]; then
  command -v azd >/dev/null || fail "pass the managed identity's object id as the second argument (azd is not installed to look it up)"
  principal_id="$(azd env get-value API_IDENTITY_PRINCIPAL_ID 2>/dev/null || true)"
  [[ -n "$principal_id" ]] || fail "API_IDENTITY_PRINCIPAL_ID is not in the azd environment: run 'azd up' first, or pass the object id"
fi
[[ "$principal_id" =~ ^[0-9a-fA-F-]{36}$ ]] || fail "'$principal_id' is not an object id (a GUID)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Fail on a bad connector file before touching the directory.
node "$here/required-graph-roles.cjs" "$connector" >"$work/required" || exit 2

az ad sp show --id "$graph_app_id" --query '{id: id, appRoles: appRoles[].{id: id, value: value}}' -o json >"$work/graph.json"
graph_sp_id="$(node -e 'process.stdout.write(require(process.argv[1]).id)' "$work/graph.json")"
az rest --method GET --uri "$graph_url/v1.0/servicePrincipals/$principal_id/appRoleAssignments" -o json >"$work/assignments.json"

node "$here/required-graph-roles.cjs" plan "$connector" "$work/graph.json" "$work/assignments.json" >"$work/plan"

echo "Microsoft Graph app roles for managed identity $principal_id (from $connector):"
granted=0
while IFS=$'\t' read -r action role role_id assignment_id breadth advice; do
  case "$action" in
    keep)
      echo "  left alone  $role (already granted)" ;;
    grant)
      body="{\"principalId\":\"$principal_id\",\"resourceId\":\"$graph_sp_id\",\"appRoleId\":\"$role_id\"}"
      az rest --method POST --uri "$graph_url/v1.0/servicePrincipals/$principal_id/appRoleAssignments" \
        --headers 'Content-Type=application/json' --body "$body" -o none
      echo "  granted     $role"
      granted=$((granted + 1)) ;;
    extra)
      remove="az rest --method DELETE --uri $graph_url/v1.0/servicePrincipals/$principal_id/appRoleAssignments/$assignment_id"
      if [[ "$breadth" == broader ]]; then
        echo "  WARNING     $advice: $remove"
      else
        echo "  left alone  $role (not needed by this mapping; remove it with: $remove)"
      fi ;;
  esac
done <"$work/plan"

if (( granted > 0 )); then
  # Microsoft, "Managed identity best practice recommendations" (Limitation of using managed
  # identities for authorization): tokens are cached for about 24 hours and cannot be refreshed early.
  echo "Granted $granted role(s). A managed identity's token is cached for about 24 hours and cannot be refreshed early (a restart does not help): the app may go on without the new roles until its cached token expires, up to a day."
else
  echo "Nothing to grant."
fi
