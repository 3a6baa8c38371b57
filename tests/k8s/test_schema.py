"""The rendered manifests against the OpenAPI schema of the pinned Kubernetes version (strict: an
unknown field is an error), as kubernetes-validate bundles it."""

from __future__ import annotations

from collections.abc import Callable

import kubernetes_validate
import pytest

from tests.k8s.conftest import Manifests
from tests.k8s.test_invariants import VARIANTS
from trustcircle.settings import versions


def _validate(docs: Manifests) -> None:
    version = versions()["KUBERNETES_VERSION"]
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as err:
            path = ".".join(str(p) for p in err.path)
            pytest.fail(f"{doc['kind']}/{doc['metadata']['name']}: {path}: {err.message}")


@pytest.mark.parametrize("overrides", VARIANTS)
def test_every_manifest_is_valid_for_the_pinned_kubernetes(render_stack: Callable[..., Manifests],
                                                           overrides: dict[str, object]) -> None:
    _validate(render_stack(secrets=True, **overrides))


def test_the_validator_does_reject_an_unknown_field(manifests: Manifests) -> None:
    broken = next(d for d in manifests if d["kind"] == "Deployment")
    broken = {**broken, "spec": {**broken["spec"], "replica": 3}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, versions()["KUBERNETES_VERSION"], strict=True)
