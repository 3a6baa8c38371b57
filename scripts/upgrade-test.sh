#!/usr/bin/env bash
# The upgrade test (tests/upgrade): a federation on Keycloak $KEYCLOAK_PREVIOUS_VERSION with data,
# upgraded in place to $KEYCLOAK_VERSION. Run by ./run test-upgrade and by scripts/test.sh.
# It needs the local federation's ports: the local federation is stopped first (./run up restarts it).
# Prepares (cached by version): the previous distribution (checksum verified) and the extension
# built against it, in a copy of extensions/ (the project's own build is left as it is).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib.sh
source "$ROOT/scripts/lib.sh"
cd "$ROOT"

prev="$KEYCLOAK_PREVIOUS_VERSION"
ext=$(tc_setup_previous_extension)

state=$(mktemp -d "${TMPDIR:-/tmp}/trustcircle-upgrade-test.XXXXXX")
tc_log "upgrade test: Keycloak $prev -> $KEYCLOAK_VERSION with data, in $state (the local federation is stopped)"
tc_cli local down >/dev/null
cleanup() {
  TRUSTCIRCLE_STATE="$state" python -m trustcircle local down >/dev/null 2>&1 || true
  rm -rf "$state" "$state-restore" "$(dirname "$state")/trustcircle-backups"
}
trap cleanup EXIT
set +e
TRUSTCIRCLE_STATE="$state" PULUMI_BACKEND_URL="file://$state/pulumi-backend" \
  PULUMI_CONFIG_PASSPHRASE_FILE="$state/passphrase" \
  TRUSTCIRCLE_UPGRADE_FROM="$prev" TRUSTCIRCLE_UPGRADE_EXTENSIONS="$ext" \
  bash -c 'mkdir -p "${PULUMI_BACKEND_URL#file://}" && (umask 077; python -c "import secrets; print(secrets.token_urlsafe(32))" > "$PULUMI_CONFIG_PASSPHRASE_FILE") && exec python -m pytest -p no:cacheprovider -s tests/upgrade "$@"' _ "$@"
rc=$?
set -e
[ "$rc" -eq 5 ] && tc_die "pytest collected no upgrade test: the suite is misconfigured"
exit "$rc"
