"""Each policy profile, as compiled, is accepted by the pinned Keycloak and enforced by it: a realm of
the test's own with the profile's settings refuses and accepts the passwords the profile says."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from trustcircle.compiler.policies import realm_settings
from trustcircle.errors import KeycloakApiError
from trustcircle.keycloak.admin import Admin, q
from trustcircle.model.profiles import PROFILES, Profile

# password → message Keycloak answers, or None when the profile accepts it
EXPECTED: dict[str, dict[str, str | None]] = {
    "habpps": {"Short1!": "minimum length 8", "Aa1!" + "x" * 17: "maximum length 20",
               "lowercase-only-1": "upper case", "P@ssw0rd": None, "Gironde-2026!": None},
    "current-guidance": {"Gironde-2026!": "minimum length 15",
                         "1qaz2wsx3edc4rfv": "password is not allowed",  # Keycloak 26.7's wording
                         "correct horse battery staple": None,
                         "a" * 65: "maximum length 64"},
}


@pytest.fixture(params=sorted(PROFILES))
def profile_realm(request: pytest.FixtureRequest, admin: Admin) -> Iterator[tuple[Profile, str]]:
    profile = PROFILES[request.param]
    realm = f"tc-profile-{secrets.token_hex(3)}"
    admin.post("", {"realm": realm, "enabled": True, **realm_settings(profile.policies)})
    try:
        yield profile, realm
    finally:
        admin.delete(f"/{q(realm)}")


def test_keycloak_enforces_each_profile_as_compiled(admin: Admin, profile_realm: tuple[Profile, str]) -> None:
    profile, realm = profile_realm
    assert admin.get(f"/{q(realm)}")["passwordPolicy"] == realm_settings(profile.policies)["passwordPolicy"]
    user_id = admin.post(f"/{q(realm)}/users", {"username": "probe", "enabled": True})
    for password, refusal in EXPECTED[profile.id].items():
        try:
            admin.put(f"/{q(realm)}/users/{user_id}/reset-password",
                      {"type": "password", "value": password, "temporary": False})
        except KeycloakApiError as err:
            assert refusal is not None and refusal in str(err), f"{profile.id}: {password!r} refused: {err}"
        else:
            assert refusal is None, f"{profile.id}: {password!r} accepted, expected {refusal!r}"
