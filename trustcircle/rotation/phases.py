"""The writes of a key rotation, one realm at a time, and the checks that come before any of them.

- **start**: per use, a new generated provider (3072-bit RSA) of a higher priority than any before,
  active: it signs, and is the key published to encrypt to, from now on. Then the providers that
  were active become passive (enabled: they still verify what they signed and decrypt what was
  encrypted to them) and are marked retiring. There is never a moment without an active key.
- **finish**: the retiring providers are removed.
- **rollback**: the roles swap back: the retiring providers active again (first), the rotation's
  own ones passive and retiring (then), marked with the rollback's own id (its time: tokens they
  signed live on from then); ``finish`` later removes them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from trustcircle.errors import RotationError
from trustcircle.keycloak.admin import Admin, q
from trustcircle.rotation.keys import (
    KEY_PROVIDER,
    USES,
    Provider,
    RealmKeys,
    Use,
    made_name,
    retiring_name,
    started_at,
)

KEY_SIZE = 3072
PRIORITY_STEP = 10


def _start_hint(busy: list[str], stray: list[str]) -> str:
    hints = []
    if busy:
        named = " ".join(f"--realm {realm}" for realm in busy)
        hints.append(f"finish the rotation in progress once the parties `./run rotate keys status {named}` lists "
                     f"have the new keys (./run rotate keys finish {named}), or undo it (./run rotate keys rollback "
                     f"{named}); rotate the other realms alone with --realm")
    if stray:
        hints.append(f"in {', '.join(stray)}: remove the passive key or make it active again (admin console: "
                     "Realm settings > Keys > Providers)")
    return "; ".join(hints) + ". Nothing was changed"


def check_start(states: list[RealmKeys]) -> None:
    """Refuse, before any write, when a realm is mid-rotation or holds a passive key of its own."""
    problems, busy, stray = [], [], []
    for state in states:
        if state.rotation:
            busy.append(state.realm)
            problems.append(f"realm {state.realm}: rotation {state.rotation} is still in progress, its old keys "
                            "are passive and not removed yet:"
                            + "".join(f"\n    {p.describe()}" for p in state.retiring))
        elif state.stray_passive():
            stray.append(state.realm)
            problems.append(f"realm {state.realm}: a passive key no rotation retires:"
                            + "".join(f"\n    {p.describe()}" for p in state.stray_passive()))
    if problems:
        raise RotationError("cannot start a key rotation:\n  " + "\n  ".join(problems), _start_hint(busy, stray))


def _new_provider(keys: RealmKeys, use: Use, rotation: str) -> dict[str, Any]:
    priority = max((p.priority for p in keys.of(use)), default=0) + PRIORITY_STEP
    return {"name": made_name(use, rotation), "providerId": use.provider_id, "providerType": KEY_PROVIDER,
            "parentId": keys.realm_id,
            "config": {"priority": [str(priority)], "enabled": ["true"], "active": ["true"],
                       "algorithm": [use.algorithm], "keySize": [str(KEY_SIZE)]}}


def _update(admin: Admin, realm: str, provider: Provider, name: str, active: bool) -> None:
    """Rename and (de)activate a provider; its key stays (Keycloak keeps what the PUT leaves out)."""
    body = {**provider.component, "name": name,
            "config": {**(provider.component.get("config") or {}), "active": ["true" if active else "false"]}}
    admin.put(f"/{q(realm)}/components/{q(provider.id)}", body)


def start_realm(admin: Admin, keys: RealmKeys, rotation: str) -> None:
    """The new keys first (active, higher priority), then the old ones passive and retiring."""
    for use in USES:
        admin.post(f"/{q(keys.realm)}/components", _new_provider(keys, use, rotation))
    for use in USES:
        for old in keys.current(use):
            _update(admin, keys.realm, old, retiring_name(old.base_name, rotation), active=False)


def finish_realm(admin: Admin, keys: RealmKeys) -> None:
    for provider in keys.retiring:
        admin.delete(f"/{q(keys.realm)}/components/{q(provider.id)}")


def rolled_back(keys: RealmKeys) -> bool:
    """Whether the rotation in progress was rolled back (none of its keys is the current one)."""
    return keys.rotation is not None and not keys.made


def check_finish(keys: RealmKeys) -> None:
    """Refuse when removing the retiring keys would leave a use without an active key."""
    for use in USES:
        if any(p.use == use for p in keys.retiring) and not any(not p.retiring for p in keys.current(use)):
            raise RotationError(f"realm {keys.realm}: removing its retiring {use.name} keys would leave no active "
                                f"{use.name} key", f"roll back (./run rotate keys rollback --realm {keys.realm}) "
                                "or make a key active by hand; nothing was removed")


def check_rollback(keys: RealmKeys) -> None:
    if keys.rotation is None:
        raise RotationError(f"realm {keys.realm}: no rotation in progress, nothing to roll back",
                            "./run rotate keys status shows each realm's keys")
    if rolled_back(keys):
        raise RotationError(f"realm {keys.realm}: rotation {keys.rotation} is already rolled back",
                            f"remove its keys with ./run rotate keys finish --realm {keys.realm}")


def rollback_realm(admin: Admin, keys: RealmKeys, rollback: str) -> None:
    check_rollback(keys)
    made = keys.made
    for old in keys.retiring:  # the old keys active again first: never a moment without one
        _update(admin, keys.realm, old, old.base_name, active=True)
    for new in made:
        _update(admin, keys.realm, new, retiring_name(new.name, rollback), active=False)


def finish_after(keys: RealmKeys, token_lifespan_s: int) -> dt.datetime | None:
    """When the realm's retiring keys may go: once tokens they signed have expired (None: no rotation)."""
    if keys.rotation is None:
        return None
    return started_at(keys.rotation) + dt.timedelta(seconds=token_lifespan_s)
