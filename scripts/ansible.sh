#!/usr/bin/env bash
# The Ansible path on this machine (run by scripts/test.sh after the local federation is up):
#   scripts/ansible.sh check   ansible-lint, yamllint, then playbooks/site.yml three times on this
#                              host (tests/ansible/inventory): run 1 converges, run 2 must report
#                              changed=0, run 3 (--check --diff) must report changed=0. Logs and
#                              recaps go to reports/ansible/; pytest tests/ansible reads them.
#   scripts/ansible.sh stop    stop the test host's Keycloak and PostgreSQL (CI leaves nothing running)
#   scripts/ansible.sh env     print the exports the playbooks and tests need (eval "$(...)")
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib.sh
source "$ROOT/scripts/lib.sh"
cd "$ROOT"

IT_STATE="$TRUSTCIRCLE_STATE/ansible-it"
INVENTORY="tests/ansible/inventory"
REPORTS="reports/ansible"
IT_SERVICE="trustcircle-it-keycloak"

# The test host's secrets: generated once (0600, outside git), handed to Ansible by environment.
it_env() {
  mkdir -p -m 700 "$IT_STATE"
  local secrets="$IT_STATE/secrets.env"
  if [ ! -s "$secrets" ]; then
    (umask 077; python -c 'import secrets
for name in ("ADMIN", "DB"):
    print(f"TRUSTCIRCLE_IT_{name}_PASSWORD={secrets.token_urlsafe(24)}")' > "$secrets")
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
}

# sum of changed= over the PLAY RECAP lines of a log
recap_changed() { sed -n '/PLAY RECAP/,$p' "$1" | grep -o 'changed=[0-9]*' | awk -F= '{s += $2} END {print s + 0}'; }

playbook() {  # playbook NAME ARGS...: run site.yml, log to reports/ansible/NAME.log, print seconds
  local name="$1" start rc
  shift
  start=$(date +%s)
  set +e
  ansible-playbook -i "$INVENTORY" playbooks/site.yml "$@" > "$REPORTS/$name.log" 2>&1
  rc=$?
  set -e
  echo "$(( $(date +%s) - start ))" > "$REPORTS/$name.seconds"
  if [ "$rc" -ne 0 ]; then
    tail -n 60 "$REPORTS/$name.log" >&2
    tc_die "ansible-playbook site.yml ($name) failed" "read $REPORTS/$name.log"
  fi
  recap_changed "$REPORTS/$name.log" > "$REPORTS/$name.changed"
}

check() {
  mkdir -p "$REPORTS"
  tc_log "ansible: yamllint and ansible-lint (production profile)"
  yamllint -s roles playbooks tests/ansible .ansible-lint .yamllint
  ansible-lint -q roles playbooks
  it_env
  tc_log "ansible: site.yml on this host (run 1 converges)"
  playbook run-1
  tc_log "ansible: run 1 took $(cat "$REPORTS/run-1.seconds") s, changed=$(cat "$REPORTS/run-1.changed")"
  tc_log "ansible: site.yml again (run 2 must report changed=0)"
  playbook run-2
  tc_log "ansible: run 2 took $(cat "$REPORTS/run-2.seconds") s, changed=$(cat "$REPORTS/run-2.changed")"
  tc_log "ansible: site.yml --check --diff (must report changed=0)"
  playbook check-diff --check --diff
  tc_log "ansible: --check --diff took $(cat "$REPORTS/check-diff.seconds") s, changed=$(cat "$REPORTS/check-diff.changed")"
  local bad=""
  for name in run-2 check-diff; do
    [ "$(cat "$REPORTS/$name.changed")" = 0 ] || bad="$bad $name"
  done
  [ -z "$bad" ] || tc_die "not idempotent: changed>0 in$bad" "read $REPORTS/run-2.log and $REPORTS/check-diff.log"
  # tells pytest tests/ansible that the playbooks ran in this session
  date +%s > "$REPORTS/converged"
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
  stop) stop ;;
  env) it_env
       printf 'export TRUSTCIRCLE_IT_ADMIN_PASSWORD=%q TRUSTCIRCLE_IT_DB_PASSWORD=%q TRUSTCIRCLE_IT_STATE=%q ANSIBLE_CONFIG=%q\n' \
         "$TRUSTCIRCLE_IT_ADMIN_PASSWORD" "$TRUSTCIRCLE_IT_DB_PASSWORD" "$TRUSTCIRCLE_IT_STATE" "$ANSIBLE_CONFIG" ;;
  *) tc_die "unknown command $1" "use: scripts/ansible.sh check|stop|env" ;;
esac
