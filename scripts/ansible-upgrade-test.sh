#!/usr/bin/env bash
# The Ansible path's upgrade test (tests/ansible_upgrade): a Keycloak host converged by
# playbooks/site.yml on $KEYCLOAK_PREVIOUS_VERSION with data, upgraded in place to $KEYCLOAK_VERSION
# by site.yml again, on PostgreSQL. Run by ./run test-upgrade-ansible.
#
# The host is this machine as tests/ansible/upgrade-inventory describes it, a host of its own beside
# the molecule scenario's (18443) and the local federation (8443): 127.0.0.1:38443 (management
# 39000), /opt/trustcircle-upgrade-it, service trustcircle-upgrade-it-keycloak, system user
# keycloak-upgrade-it, database and role trustcircle_upgrade_it in the host's PostgreSQL. It is
# forgotten (service stopped and removed, database and role dropped, files deleted) before the test
# and again after it (TRUSTCIRCLE_KEEP_UPGRADE_HOST=1 keeps it for a look; the next run forgets it).
# Prepares: the previous distribution and the extension built for it (cached), secrets (0600, in
# $TRUSTCIRCLE_STATE/ansible-upgrade-it), the host's certificate from the local CA, the deny-list and
# the realms copy. Output of every playbook run: reports/ansible-upgrade/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib.sh
source "$ROOT/scripts/lib.sh"
cd "$ROOT"

BASE=/opt/trustcircle-upgrade-it          # trustcircle_it_base in the inventory's host_vars
SERVICE=trustcircle-upgrade-it-keycloak   # keycloak_server_service_name
SYSTEM_USER=keycloak-upgrade-it           # keycloak_server_user
DATABASE=trustcircle_upgrade_it           # keycloak_database_name and _user
PORTS=(38443 39000)                       # keycloak_server_https_port, _management_port
STATE="$TRUSTCIRCLE_STATE/ansible-upgrade-it"

[ "$(id -u)" = 0 ] || tc_die "the Ansible upgrade test provisions this machine as a host: it runs as root" \
  "run it as root (as CI does)"
{ command -v apt-get && command -v runuser; } >/dev/null \
  || tc_die "the Ansible upgrade test provisions a Debian host (apt-get, runuser): this machine is not one" \
       "run it on a Debian machine"

# the host forgotten: its service stopped and removed, its database and role dropped, its files gone
forget_host() {
  if [ -x "/etc/init.d/$SERVICE" ]; then
    service "$SERVICE" stop >/dev/null 2>&1 || true
    update-rc.d -f "$SERVICE" remove >/dev/null 2>&1 || true
  fi
  rm -f "/etc/init.d/$SERVICE" "/etc/default/$SERVICE" "/run/$SERVICE.pid"
  if [ -x /etc/init.d/postgresql ] && service postgresql start >/dev/null 2>&1; then
    # (without PostgreSQL's notice that there was nothing to drop)
    PGOPTIONS="-c client_min_messages=warning" runuser -u postgres -- dropdb --if-exists "$DATABASE"
    PGOPTIONS="-c client_min_messages=warning" runuser -u postgres -- dropuser --if-exists "$DATABASE"
  fi
  rm -rf "$BASE"
  if id "$SYSTEM_USER" >/dev/null 2>&1; then userdel "$SYSTEM_USER" >/dev/null 2>&1 || true; fi
  if getent group "$SYSTEM_USER" >/dev/null; then groupdel "$SYSTEM_USER" >/dev/null 2>&1 || true; fi
}

ports_free() {
  local port
  for port in "${PORTS[@]}"; do
    if ss -Hltn "sport = :$port" | grep -q .; then
      tc_die "port $port is in use: the Ansible upgrade test's host needs 127.0.0.1:${PORTS[0]} and ${PORTS[1]}" \
        "stop what listens there (ss -ltnp 'sport = :$port'), or change the ports in tests/ansible/upgrade-inventory/host_vars"
    fi
  done
}

ext=$(tc_setup_previous_extension)
tc_setup_keycloak_dist
tc_setup_extension

tc_log "Ansible upgrade test: Keycloak $KEYCLOAK_PREVIOUS_VERSION -> $KEYCLOAK_VERSION on PostgreSQL, host $BASE (127.0.0.1:${PORTS[0]})"
forget_host
ports_free
# the host's base directory, as scripts/ansible.sh makes the molecule host's: root's, open to the
# postgres user, which writes the pre-upgrade dump into $BASE/backups (keycloak_server_backup_dir)
install -d -m 0755 "$BASE"
if [ "${TRUSTCIRCLE_KEEP_UPGRADE_HOST:-}" = 1 ]; then
  trap 'tc_log "the upgrade test host is kept: $BASE, service $SERVICE, database $DATABASE (the next run forgets it)"' EXIT
else
  trap 'forget_host; rm -rf "$STATE"' EXIT
fi

# secrets made anew for each run (the host is made anew), handed to Ansible by environment
rm -rf "$STATE" && mkdir -p -m 700 "$STATE"
TRUSTCIRCLE_UPGRADE_IT_ADMIN_PASSWORD=$(python -c 'import secrets; print(secrets.token_urlsafe(24))')
TRUSTCIRCLE_UPGRADE_IT_DB_PASSWORD=$(python -c 'import secrets; print(secrets.token_urlsafe(24))')
export TRUSTCIRCLE_UPGRADE_IT_ADMIN_PASSWORD TRUSTCIRCLE_UPGRADE_IT_DB_PASSWORD
export TRUSTCIRCLE_UPGRADE_IT_STATE="$STATE" ANSIBLE_CONFIG="$ROOT/ansible.cfg"
tc_cli policy deny-list "$STATE/deny-list" >/dev/null
# the host's server certificate, from the project's local CA (in $TRUSTCIRCLE_STATE/local/tls)
tc_cli local certificate ansible-upgrade-it --host 127.0.0.1 --host localhost >/dev/null
# realms/ with the local stand-in e-services' certificates written in (as tests/ansible's host)
python -m tests.stand_in_realms "$STATE/realms" >/dev/null

set +e
TRUSTCIRCLE_ANSIBLE_UPGRADE_FROM="$KEYCLOAK_PREVIOUS_VERSION" TRUSTCIRCLE_UPGRADE_EXTENSIONS="$ext" \
  python -m pytest -p no:cacheprovider -s tests/ansible_upgrade "$@"
rc=$?
set -e
[ "$rc" -eq 5 ] && tc_die "pytest collected no Ansible upgrade test: the suite is misconfigured"
exit "$rc"
