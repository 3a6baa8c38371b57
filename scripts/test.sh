#!/usr/bin/env bash
# Every linter and test of trustcircle, in the order that fails fastest. Run through ./run test
# (which sets up the tool chain first); CI runs exactly that.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib.sh
source "$ROOT/scripts/lib.sh"
cd "$ROOT"
mkdir -p reports

if [ "${CI:-}" = "true" ]; then
  # CI leaves nothing running behind it (the restored federation is stopped by restore_local below)
  trap 'python -m trustcircle local down >/dev/null 2>&1 || true; scripts/ansible.sh stop || true' EXIT
fi

tc_setup_cluster_system  # PostgreSQL and nginx: the local cluster's (its unit tests run nginx -t)
tc_log "ruff"
ruff check .
tc_log "mypy (strict on the trustcircle package)"
mypy
tc_log "Java extension: mvn verify"
tc_mvn_extensions verify

tc_log "local federation: Keycloak up, realms applied with pulumi up"
tc_cli local up
tc_pulumi_up

tc_log "policy report: every realm's access policy as applied, against the model (a gap fails)"
tc_cli policy report --output reports/policy-report.md
tc_cli policy report --format html --output reports/policy-report.html

tc_log "Ansible path: lint, then molecule test on this host (converge, idempotence, verify with testinfra)"
scripts/ansible.sh check
eval "$(scripts/ansible.sh env)"
export TRUSTCIRCLE_ANSIBLE_CONVERGED=1  # pytest tests/ansible: the same realms as pulumi up

tc_log "k8s stack: manifests rendered under Pulumi mocks (reports/k8s-manifests)"
rm -rf reports/k8s-manifests
python -m trustcircle.k8s.render reports/k8s-manifests >/dev/null
tc_log "k8s stack: kube-apiserver $KUBERNETES_VERSION for the server-side dry run in tests/k8s (built once, cached)"
TRUSTCIRCLE_KUBE_APISERVER_BIN="$(timeout 1200 scripts/toolchain/kube-apiserver.sh ensure | tail -n 1)"
export TRUSTCIRCLE_KUBE_APISERVER_BIN
# the real `pulumi preview --stack k8s` against that API server: tests/k8s/test_pulumi_preview.py installs
# the plugin into a PULUMI_HOME of its own, as tc_setup_pulumi_kubernetes does for ./run pulumi
tc_log "k8s stack: Pulumi Kubernetes provider plugin $PULUMI_KUBERNETES_VERSION for pulumi preview --stack k8s (built once from Go modules, ~25 min, cached)"
TRUSTCIRCLE_PULUMI_KUBERNETES_BIN="$(timeout 4000 scripts/toolchain/pulumi-kubernetes.sh ensure | tail -n 1)"
export TRUSTCIRCLE_PULUMI_KUBERNETES_BIN

tc_log "backup and restore: the suite runs against the federation restored from a backup into an empty directory"
original="$TRUSTCIRCLE_STATE"
restored="$(dirname "$original")/$(basename "$original").restored-by-test"
backup_dir=$(mktemp -d)
rm -rf "$restored"
tc_cli backup --output "$backup_dir/federation.tar.gz" --leave-stopped
TRUSTCIRCLE_STATE="$restored" tc_cli restore "$backup_dir/federation.tar.gz"
rm -rf "$backup_dir"
export TRUSTCIRCLE_STATE="$restored" PULUMI_BACKEND_URL="file://$restored/pulumi-backend"
if [ "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" = "$original/pulumi-passphrase" ]; then
  export PULUMI_CONFIG_PASSPHRASE_FILE="$restored/pulumi-passphrase"
fi
# afterwards: the restored copy stopped (and removed when all passed), the local federation as it was
restore_local() {
  python -m trustcircle local down >/dev/null 2>&1 || true
  if [ "${CI:-}" = "true" ]; then
    scripts/ansible.sh stop || true
  else
    TRUSTCIRCLE_STATE="$original" python -m trustcircle local up >/dev/null 2>&1 \
      || echo "trustcircle: the local federation did not start again: ./run up" >&2
  fi
}
trap restore_local EXIT
tc_cli local up  # tests/live/test_pulumi_program.py then finds realms/ on it, unchanged (refresh, no change)

tc_log "pytest: unit tests, live tests against Keycloak, conformance suite (on the restored federation)"
set +e
python -m pytest tests conformance --ignore=tests/upgrade --ignore=tests/ansible_upgrade --junitxml=reports/junit.xml "$@"
rc=$?
set -e
# The local cluster's failover tests, short version (about 8 minutes cold, 4 warm: one node killed,
# one rolling restart); ./run test-cluster runs the long one. With pytest arguments, not run.
if [ $# -eq 0 ] && { [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]; }; then
  (export TRUSTCIRCLE_CLUSTER_STATE="${original%/}-cluster"; tc_use_cluster; scripts/cluster-test.sh) \
    || { [ "$rc" -ne 0 ] || rc=1; }
fi
# The upgrade test (about 5 minutes) runs in CI (CI=true), or when asked; with pytest arguments
# (e.g. -k) only what they select runs. ./run test-upgrade runs it alone; the Ansible path's,
# ./run test-upgrade-ansible, is not yet part of ./run test (docs/upgrading.md says why).
if [ $# -eq 0 ] && { [ "${CI:-}" = "true" ] || [ "${TRUSTCIRCLE_TEST_UPGRADE:-}" = "1" ]; } \
   && { [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]; }; then
  tc_log "upgrade with data: Keycloak $KEYCLOAK_PREVIOUS_VERSION -> $KEYCLOAK_VERSION (scripts/upgrade-test.sh)"
  scripts/upgrade-test.sh --junitxml=reports/junit-upgrade.xml || { [ "$rc" -ne 0 ] || rc=1; }
elif [ $# -eq 0 ]; then
  tc_log "upgrade with data: not on a warm run (CI runs it): ./run test-upgrade, or TRUSTCIRCLE_TEST_UPGRADE=1 ./run test"
fi
[ "$rc" -eq 0 ] && rm -rf "$restored"
[ -f reports/junit.xml ] && tc_cli report reports/junit.xml --output reports/test-report.html || true
tc_log "reports and Pulumi state: no private key or credential of this machine (a finding fails the run)"
leaks=0
tc_cli leaks reports "${PULUMI_BACKEND_URL#file://}/.pulumi/stacks" || leaks=1
if [ "$rc" -eq 5 ]; then
  echo "trustcircle: pytest collected no tests: the suite is misconfigured (this is a failure)" >&2
  exit 1
fi
[ "$rc" -ne 0 ] && exit "$rc"
exit "$leaks"
