#!/usr/bin/env bash
# Creates (or finds) the app registration that names who may call the HTTP routes, with its
# app roles, and prints the client id to give the deployment (OPERATOR_APP_CLIENT_ID):
#   AttributeWriter.Resync   POST /api/workers/{id}/resync (writes) and the status route
#   AttributeWriter.Read     GET  /api/workers/{id}
#   AttributeWriter.Approve  POST /api/cycles/{runId}/approve (lets a held cycle's changes through)
# Bicep cannot create an app registration (Entra objects are not Azure resources), hence this
# step. Operators (users or groups) and calling applications are then assigned a role on the
# registration's enterprise application; a caller's token carries it in its `roles` claim.
#
# Usage: infra/register-operator-app.sh [display name]   (default: entra-attribute-writer operators)
# Then:  azd env set OPERATOR_APP_CLIENT_ID <client id> && azd provision
# Needs the Azure CLI signed in (`az login`) as someone who may register applications.
# Idempotent: an existing registration of that name keeps its id; missing roles are added.
set -euo pipefail

name="${1:-entra-attribute-writer operators}"
fail() { echo "register-operator-app: $*" >&2; exit 2; }
command -v az >/dev/null || fail "the Azure CLI (az) is not installed"

app_id="$(az ad app list --display-name "$name" --query '[0].appId' -o tsv)"
if [[ -z "$app_id" ]]; then
  app_id="$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg --query appId -o tsv)"
  echo "created app registration '$name' ($app_id)"
fi
# v2.0 tokens (issuer login.microsoftonline.com/<tenant>/v2.0) and api://<client id> as audience.
az ad app update --id "$app_id" --identifier-uris "api://$app_id" --set api.requestedAccessTokenVersion=2

roles_file="$(mktemp)"
trap 'rm -f "$roles_file"' EXIT
existing="$(az ad app show --id "$app_id" --query appRoles -o json)"
EXISTING="$existing" node -e '
const existing = JSON.parse(process.env.EXISTING || "[]");
const wanted = [
  ["AttributeWriter.Resync", "Resync workers", "Run the pipeline for one worker now (writes to Entra) and read worker status."],
  ["AttributeWriter.Read", "Read worker status", "Read the ledger and escrow state of one worker."],
  ["AttributeWriter.Approve", "Approve held cycles", "Let a cycle held by the mass-change guard through (many writes to Entra)."],
];
const roles = [...existing];
for (const [value, displayName, description] of wanted) {
  if (roles.some((r) => r.value === value)) continue;
  roles.push({ allowedMemberTypes: ["User", "Application"], value, displayName, description,
               isEnabled: true, id: require("node:crypto").randomUUID() });
}
process.stdout.write(JSON.stringify(roles));
' > "$roles_file"
az ad app update --id "$app_id" --app-roles "@$roles_file"
# The enterprise application (service principal) is where roles are assigned; require assignment,
# so a token is only issued to callers given a role.
sp_id="$(az ad sp list --filter "appId eq '$app_id'" --query '[0].id' -o tsv)"
[[ -n "$sp_id" ]] || sp_id="$(az ad sp create --id "$app_id" --query id -o tsv)"
az ad sp update --id "$sp_id" --set appRoleAssignmentRequired=true

echo "app registration ready: client id $app_id"
echo "next: azd env set OPERATOR_APP_CLIENT_ID $app_id && azd provision"
echo "then assign operators a role: Entra admin center > Enterprise applications > '$name' > Users and groups"
