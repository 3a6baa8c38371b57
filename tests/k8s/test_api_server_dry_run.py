"""The rendered manifests accepted by a real Kubernetes API server (server-side dry run), with no
warning: neither Pod Security "restricted" nor a deprecated API. Needs the binaries that
scripts/toolchain/kube-apiserver.sh builds; scripts/test.sh passes their directory in
TRUSTCIRCLE_KUBE_APISERVER_BIN (the ``server`` fixture of conftest.py skips without it, and says so)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.k8s.conftest import Manifests
from tests.k8s.test_invariants import VARIANTS
from trustcircle.k8s.dryrun import ApiServer


@pytest.mark.timeout(300)
@pytest.mark.parametrize("overrides", VARIANTS)
def test_the_api_server_accepts_every_manifest_without_warning(
        server: ApiServer, render_stack: Callable[..., Manifests], overrides: dict[str, object]) -> None:
    docs = render_stack(secrets=True, **overrides)
    namespace = docs[0]
    assert namespace["kind"] == "Namespace"
    created = server.request("POST", "/api/v1/namespaces", namespace)  # the only object really created
    assert created.status_code in (201, 409), created.text
    problems = []
    for doc in docs[1:]:
        status, message, warnings = server.dry_run(doc)
        if status != 201 or warnings:
            problems.append(f"{doc['kind']}/{doc['metadata']['name']}: {status} {message} {warnings}")
    assert problems == []


def test_the_api_server_does_refuse_a_pod_that_breaks_the_restricted_standard(
        server: ApiServer, manifests: Manifests) -> None:
    server.request("POST", "/api/v1/namespaces", manifests[0])
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "root", "namespace": "trustcircle"},
           "spec": {"containers": [{"name": "c", "image": "example.org/x:1"}]}}  # may run as root
    response = server.request("POST", "/api/v1/namespaces/trustcircle/pods?dryRun=All", pod)
    assert response.status_code == 403 and "violates PodSecurity" in response.text, response.text
