"""The compiler: deterministic, and the convention window becomes UTC instants the gate reads."""

from __future__ import annotations

import os
import subprocess
import sys

from trustcircle import ids
from trustcircle.compiler.compile import compile_federation
from trustcircle.compiler.environment import Environment
from trustcircle.model.loader import load_federation
from trustcircle.settings import REPO_ROOT

ENV = Environment(public_url="https://kc.example:8443")


def test_compilation_is_deterministic_across_processes() -> None:
    """Two processes with different hash seeds (set and dict order) compile the same bytes."""
    outputs = {subprocess.run([sys.executable, "-m", "trustcircle", "compile"], cwd=REPO_ROOT, check=True,
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(outputs) == 1 and len(next(iter(outputs))) > 1000


def test_convention_group_carries_the_window_in_utc_and_the_granted_rubriques() -> None:
    objects = {o.ref.name: o for o in compile_federation(load_federation([REPO_ROOT / "realms"]), ENV)}
    group = objects["cnaf/group//cd33/cdap"]
    attrs = group.spec["attributes"]
    assert attrs[ids.CONVENTION_VALID_FROM_ATTR] == ["2025-12-31T23:00:00Z"]  # 2026-01-01 in Paris
    assert attrs[ids.CONVENTION_VALID_UNTIL_ATTR] == ["2028-12-31T23:00:00Z"]  # end of 2028-12-31
    assert attrs[ids.CONVENTION_STATUS_ATTR] == ["verified"]
    assert attrs["trustcircle.convention.amendment"] == ["1"]  # the re-verified amendment is in force
    granted = ["adresse", "dossier", "droits", "ressources", "rsa"]
    assert group.spec["clientRoles"] == {"urn:trustcircle:sp:cdap": granted}


def test_only_verified_amendments_and_conventions_are_compiled() -> None:
    objects = {o.ref.name: o for o in compile_federation(load_federation([REPO_ROOT / "realms"]), ENV)}
    amended = objects["cnaf/group//cpam69/cdap"].spec  # amendment 1 awaits verification
    assert amended["attributes"]["trustcircle.convention.amendment"] == ["0"]
    assert amended["clientRoles"] == {"urn:trustcircle:sp:cdap": ["adresse", "dossier", "droits"]}
    assert "cnaf/group//ccas-bordeaux/cdap" not in objects  # rejected: nothing granted
    assert "cnaf/group//chu-bordeaux/cdap" in objects  # expired: the gate refuses it at login


def test_an_external_saml_identity_provider_is_brokered_from_its_metadata() -> None:
    objects = {o.ref.name: o for o in compile_federation(load_federation([REPO_ROOT / "realms"]), ENV)}
    config = objects["cnaf/identity_provider/chu-bordeaux"].spec["config"]
    assert config["idpEntityId"] == "https://idp.chu-bordeaux.example/saml"
    assert config["metadataDescriptorUrl"] == "https://127.0.0.1:8643/idp/metadata"
    assert not any(name.startswith("chu-bordeaux/") for name in objects)  # no realm of its own


def test_organisation_without_convention_is_brokered_but_joins_no_convention_group() -> None:
    objects = {o.ref.name: o for o in compile_federation(load_federation([REPO_ROOT / "realms"]), ENV)}
    idp = objects["cnaf/identity_provider/ccas-bordeaux"].spec
    groups = [m["config"]["group"] for m in idp["mappers"] if "group" in m["config"]]
    assert groups == ["/ccas-bordeaux"]
    assert idp["postBrokerLoginFlowAlias"] == ids.POST_BROKER_FLOW_ALIAS
    assert idp["config"]["wantAssertionsSigned"] == "true"
    assert idp["config"]["nameIDPolicyFormat"] == ids.SAML_PERSISTENT


def test_every_dependency_is_an_object_of_the_state() -> None:
    objects = compile_federation(load_federation([REPO_ROOT / "realms"]), ENV)
    names = {o.ref.name for o in objects}
    assert all(dep.name in names for o in objects for dep in o.depends_on)


def test_an_external_oidc_provider_is_brokered_without_a_shared_secret() -> None:
    objects = {o.ref.name: o for o in compile_federation(load_federation([REPO_ROOT / "realms"]), ENV)}
    idp = objects["cnaf/identity_provider/udaf33"].spec
    assert idp["providerId"] == "oidc"
    assert idp["config"]["clientAuthMethod"] == "private_key_jwt" and "clientSecret" not in idp["config"]
    assert idp["config"]["pkceMethod"] == "S256" and idp["config"]["validateSignature"] == "true"
    username = next(m for m in idp["mappers"] if m["identityProviderMapper"] == "oidc-username-idp-mapper")
    assert username["config"]["template"] == "${ALIAS}.${CLAIM.sub}"  # the subject, never the e-mail
