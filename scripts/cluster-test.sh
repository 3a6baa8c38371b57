#!/usr/bin/env bash
# The local cluster's failover tests (conformance/test_cluster.py, docs/cluster.md): brokered
# sign-ins and mTLS token requests running while a node is killed (SIGKILL) and started again, then
# through a rolling restart. ./run test-cluster runs the long version (TRUSTCIRCLE_CLUSTER_FULL=1:
# every node killed in turn); scripts/test.sh the short one (one kill). Brings the cluster up with
# realms/ applied (./run up --cluster), and stops it afterwards unless TRUSTCIRCLE_KEEP_CLUSTER=1.
# Called with the cluster's state selected (tc_use_cluster) and the tool chain set up.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib.sh
source "$ROOT/scripts/lib.sh"
cd "$ROOT"
mkdir -p reports

tc_setup_cluster_system
tc_setup_pulumi  # the cluster's Pulumi backend and passphrase, in its state
tc_cluster_stack_file
stop_cluster() {
  [ "${TRUSTCIRCLE_KEEP_CLUSTER:-}" = "1" ] || python -m trustcircle cluster down >/dev/null 2>&1 || true
}
trap stop_cluster EXIT
tc_log "local cluster: PostgreSQL, $(python -c 'from trustcircle.local.cluster import ClusterConfig; print(ClusterConfig.from_env().nodes)') Keycloak nodes, nginx (state $TRUSTCIRCLE_STATE)"
tc_cli cluster up
tc_pulumi_up >reports/cluster-pulumi-up.log 2>&1 || { tail -n 40 reports/cluster-pulumi-up.log >&2; tc_die "pulumi up on the cluster failed (reports/cluster-pulumi-up.log)"; }
tc_log "cluster failover tests${TRUSTCIRCLE_CLUSTER_FULL:+ (long version: every node killed in turn)}"
set +e
python -m pytest -p no:cacheprovider -s conformance/test_cluster.py --junitxml=reports/junit-cluster.xml "$@"
rc=$?
set -e
[ "$rc" -eq 5 ] && tc_die "pytest collected no cluster test: the suite is misconfigured"
exit "$rc"
