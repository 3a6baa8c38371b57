"""The comparison behind tests/ansible/test_same_federation.py: a realm whose keys were rotated is the
same federation as a fresh one, and a realm that lost or switched off one of its keys is not."""

from __future__ import annotations

import copy
from typing import Any

from tests.ansible.exports import KEY_PROVIDER, comparable, differences, normalise

FRESH = [  # as Keycloak 26.7 generates them at a realm's creation
    {"name": "rsa-generated", "providerId": "rsa-generated", "config": {"priority": ["100"]}},
    {"name": "rsa-enc-generated", "providerId": "rsa-enc-generated",
     "config": {"priority": ["100"], "algorithm": ["RSA-OAEP"]}},
    {"name": "aes-generated", "providerId": "aes-generated", "config": {"priority": ["100"]}},
    {"name": "hmac-generated-hs512", "providerId": "hmac-generated",
     "config": {"priority": ["100"], "algorithm": ["HS512"]}},
]
ROTATED = [  # after ./run rotate keys start and finish (trustcircle/rotation/phases.py)
    {"name": "trustcircle rotation 20261203T173033Z (signing)", "providerId": "rsa-generated",
     "config": {"keySize": ["3072"], "active": ["true"], "priority": ["110"], "enabled": ["true"],
                "algorithm": ["RS256"]}},
    {"name": "trustcircle rotation 20261203T173033Z (encryption)", "providerId": "rsa-enc-generated",
     "config": {"keySize": ["3072"], "active": ["true"], "priority": ["110"], "enabled": ["true"],
                "algorithm": ["RSA-OAEP"]}},
    *FRESH[2:],
]


def _realm(keys: list[dict[str, Any]]) -> dict[str, Any]:
    return {"realm": "caf33", "clients": [], "authenticationFlows": [],
            "components": {KEY_PROVIDER: copy.deepcopy(keys)}}


def _found(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> list[str]:
    return differences(normalise(comparable(_realm(first)), "https://a"),
                       normalise(comparable(_realm(second)), "https://b"))


def test_a_rotated_realm_and_a_fresh_one_are_the_same_federation() -> None:
    assert _found(ROTATED, FRESH) == []


def test_a_realm_without_its_encryption_key_differs() -> None:
    assert _found(FRESH, [p for p in FRESH if p["providerId"] != "rsa-enc-generated"])


def test_a_realm_with_its_signing_key_passive_or_of_another_algorithm_differs() -> None:
    passive = copy.deepcopy(ROTATED)
    passive[0]["config"]["active"] = ["false"]
    assert _found(FRESH, passive)
    other = copy.deepcopy(ROTATED)
    other[0]["config"]["algorithm"] = ["PS256"]
    assert _found(FRESH, other)


def test_a_rotation_left_half_done_differs() -> None:
    retiring = {**copy.deepcopy(FRESH[0]), "name": "rsa-generated [retiring: trustcircle rotation 20261203T173033Z]"}
    retiring["config"]["active"] = ["false"]
    assert _found(FRESH, [*ROTATED, retiring])
