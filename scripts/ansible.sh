#!/usr/bin/env bash
# The Ansible path on this machine (run by scripts/test.sh after the local federation is up):
#   scripts/ansible.sh check   yamllint, ansible-lint, then the molecule scenario molecule/default on
#                              this host (tests/ansible/inventory): syntax, converge (site.yml),
#                              idempotence (a second run must change nothing), verify (testinfra:
#                              the host checks, and site.yml --check --diff must change nothing).
#                              Output and reports in reports/ansible/.
#   scripts/ansible.sh molecule ARGS   molecule with the test host's secrets exported
#                              (./run molecule test, ./run molecule verify, ...)
#   scripts/ansible.sh stop    stop the test host's Keycloak and PostgreSQL (CI leaves nothing running)
#   scripts/ansible.sh env     print the exports the playbooks and tests need (eval "$(...)")
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib.sh
source "$ROOT/scripts/lib.sh"
cd "$ROOT"

IT_STATE="$TRUSTCIRCLE_STATE/ansible-it"
REPORTS="reports/ansible"
IT_SERVICE="trustcircle-it-keycloak"
IT_DATABASE="trustcircle_it"  # keycloak_database_name in tests/ansible/inventory
IT_HOST_ID="/opt/trustcircle-it/.secrets-sha256"  # under trustcircle_it_base: which secrets made the host

# The test host's secrets: generated once (0600, outside git), handed to Ansible by environment.
it_env() {
  mkdir -p -m 700 "$IT_STATE"
  local secrets="$IT_STATE/secrets.env"
  if [ ! -s "$secrets" ]; then
    (umask 077; python -c 'import secrets
for name in ("ADMIN", "DB"):
    print(f"TRUSTCIRCLE_IT_{name}_PASSWORD={secrets.token_urlsafe(24)}")' > "$secrets")
  fi
  # the test host belongs to these secrets: one that another state made (its Keycloak administrator
  # has another password) is forgotten first, and converged anew
  local id
  id=$(sha256sum "$secrets" | cut -c1-64)
  if [ "$(cat "$IT_HOST_ID" 2>/dev/null)" != "$id" ]; then
    forget_host
    mkdir -p "$(dirname "$IT_HOST_ID")"
    (umask 077; echo "$id" > "$IT_HOST_ID")
  fi
  set -a
  # shellcheck disable=SC1090
  source "$secrets"
  set +a
  export TRUSTCIRCLE_IT_STATE="$IT_STATE" ANSIBLE_CONFIG="$ROOT/ansible.cfg"
  # the breached-password deny-list the realms' password policy reads (copied by keycloak_server)
  tc_cli policy deny-list "$IT_STATE/deny-list" >/dev/null
  # the test host's server certificate, from the project's local CA (as the local federation's)
  tc_cli local certificate ansible-it --host 127.0.0.1 --host localhost >/dev/null
  # realms/ as a deployment elsewhere gives it: the stand-in e-services' certificates written in
  python -m tests.stand_in_realms "$IT_STATE/realms" >/dev/null
}

check() {
  mkdir -p "$REPORTS"
  tc_log "ansible: yamllint and ansible-lint (production profile)"
  yamllint -s roles playbooks tests/ansible molecule .ansible-lint .yamllint
  ansible-lint -q roles playbooks molecule
  it_env
  tc_log "ansible: molecule test (syntax, converge site.yml, idempotence, verify with testinfra) on this host"
  local start rc
  start=$(date +%s)
  export NO_COLOR=1  # a log to read, not a terminal
  # molecule's state from an earlier run (its own files, not the host's) is not reused
  molecule reset >/dev/null 2>&1 || tc_die "molecule reset failed" "read why: scripts/ansible.sh molecule reset"
  set +e
  molecule test > "$REPORTS/molecule.log" 2>&1
  rc=$?
  set -e
  if [ "$rc" -ne 0 ]; then
    tail -n 80 "$REPORTS/molecule.log" >&2
    tc_die "molecule test failed" "read $REPORTS/molecule.log (and $REPORTS/verify.xml, $REPORTS/check-diff.log)"
  fi
  tc_log "ansible: molecule test passed in $(( $(date +%s) - start )) s (output: $REPORTS/molecule.log)"
}

# the test host's database, dropped (with its Keycloak stopped); nothing else of the machine is touched
forget_host() {
  stop
  if [ -x /etc/init.d/postgresql ] && service postgresql start >/dev/null 2>&1; then
    runuser -u postgres -- dropdb --if-exists "$IT_DATABASE" >/dev/null 2>&1 || true
  fi
}

stop() {
  if [ -x "/etc/init.d/$IT_SERVICE" ]; then
    service "$IT_SERVICE" stop >/dev/null 2>&1 || true
  elif command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl stop "$IT_SERVICE" >/dev/null 2>&1 || true
  fi
  service postgresql stop >/dev/null 2>&1 || true
}

case "${1:-check}" in
  check) check ;;
  molecule) shift; it_env; exec molecule "$@" ;;
  stop) stop ;;
  env) it_env
       printf 'export TRUSTCIRCLE_IT_ADMIN_PASSWORD=%q TRUSTCIRCLE_IT_DB_PASSWORD=%q TRUSTCIRCLE_IT_STATE=%q ANSIBLE_CONFIG=%q\n' \
         "$TRUSTCIRCLE_IT_ADMIN_PASSWORD" "$TRUSTCIRCLE_IT_DB_PASSWORD" "$TRUSTCIRCLE_IT_STATE" "$ANSIBLE_CONFIG" ;;
  *) tc_die "unknown command $1" "use: scripts/ansible.sh check|molecule ARGS|stop|env" ;;
esac
