"""A key rotation over the federation's realms (all, or the ones named): every realm is checked
before any is written, the links are refreshed after, and what outside parties must do is said.

Each command returns the lines a person reads; nothing here prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from trustcircle.errors import ConfigurationError, RotationError
from trustcircle.keycloak.admin import Admin, q
from trustcircle.keycloak.ownership import federation_realms
from trustcircle.rotation import keys as realm_keys
from trustcircle.rotation import links as consumers
from trustcircle.rotation import phases
from trustcircle.rotation.keys import SIGNING, USES, RealmKeys


@dataclass
class Rotation:
    admin: Admin
    federation: str
    selected: list[str] = field(default_factory=list)  # empty: every realm of the federation
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)

    def __post_init__(self) -> None:
        self.realms = federation_realms(self.admin.get(""), self.federation)
        unknown = sorted(set(self.selected) - set(self.realms))
        if unknown:
            raise ConfigurationError(
                f"not a realm of federation {self.federation!r} on {self.admin.target.url}: {', '.join(unknown)}",
                f"name one of: {', '.join(self.realms) or '(none: run ./run up first)'}")
        self.targets = sorted(set(self.selected)) if self.selected else self.realms

    def _read(self) -> list[RealmKeys]:
        return [realm_keys.read(self.admin, realm) for realm in self.targets]

    # --- the phases ----------------------------------------------------------------------------
    def start(self) -> list[str]:
        states = self._read()
        phases.check_start(states)  # nothing written before every realm passed
        rotation = realm_keys.rotation_id(self.now())
        links, outside = consumers.discover(self.admin, self.realms, set(self.targets))
        for state in states:
            phases.start_realm(self.admin, state, rotation)
        lines = [f"rotation {rotation} started in {len(states)} realm(s)"]
        after = [realm_keys.read(self.admin, s.realm) for s in states]
        lines += [line for state in after for line in _realm_lines(state)]
        lines += ["links refreshed:", *_indent(consumers.refresh(self.admin, links))]
        lines += [f"warning: {p}" for p in self._unpublished(after, links)]
        lines += _outside_lines(outside, after, "now")
        lines.append(f"finish after {_clock(self._finish_after(after))}: ./run rotate keys finish{self._realm_args()}")
        return lines

    def finish(self, no_wait: bool = False) -> list[str]:
        states = [s for s in self._read() if s.rotation]
        if not states:
            return ["no rotation in progress in " + ", ".join(self.targets)]
        for state in states:
            phases.check_finish(state)
        due = self._finish_after(states)
        if not no_wait and self.now() < due:
            raise RotationError(
                f"too early to finish rotation {states[0].rotation}: tokens the old keys signed may be in use "
                f"until {_clock(due)} (the realms' access-token lifespan after the start)",
                "run finish again then, or with --no-wait to remove the old keys now (tokens they signed then "
                "stop verifying at Keycloak); nothing was removed")
        links, _ = consumers.discover(self.admin, self.realms, {s.realm for s in states})
        lines = ["links refreshed:", *_indent(consumers.refresh(self.admin, links))]
        problems = self._unpublished(states, links)
        if problems:
            raise RotationError("some links would still read an old key:\n  " + "\n  ".join(problems),
                                "read the metadata at those URLs; run finish again once they publish the new keys "
                                "(nothing was removed)")
        for state in states:
            phases.finish_realm(self.admin, state)
            lines.append(f"{state.realm}: removed " + "; ".join(p.describe() for p in state.retiring))
        lines += ["links refreshed (the old keys forgotten):",
                  *_indent(consumers.refresh(self.admin, links))]
        return lines

    def rollback(self) -> list[str]:
        states = self._read()
        for state in states:  # every realm checked before any is written
            phases.check_rollback(state)
        rollback = realm_keys.rotation_id(self.now())
        links, outside = consumers.discover(self.admin, self.realms, set(self.targets))
        for state in states:
            phases.rollback_realm(self.admin, state, rollback)
        after = [realm_keys.read(self.admin, s.realm) for s in states]
        lines = [f"rolled back in {len(states)} realm(s): the previous keys sign again",
                 *(line for state in after for line in _realm_lines(state))]
        lines += ["links refreshed:", *_indent(consumers.refresh(self.admin, links))]
        lines += _outside_lines(outside, after, "now")
        lines.append(f"remove the rotation's keys after {_clock(self._finish_after(after))}: "
                     f"./run rotate keys finish{self._realm_args()}")
        return lines

    def status(self) -> list[str]:
        states = self._read()
        lines = [line for state in states for line in _realm_lines(state)]
        rotating = [s for s in states if s.rotation]
        if rotating:
            _, outside = consumers.discover(self.admin, self.realms, {s.realm for s in rotating})
            lines += _outside_lines(outside, rotating, "before finish")
            lines.append(f"finish after {_clock(self._finish_after(rotating))}")
        return lines

    def pem(self) -> list[str]:
        """The current signing certificate of each realm, PEM (public: what e-services install)."""
        found = []
        for state in self._read():
            for provider in state.current(SIGNING)[:1]:
                body = provider.certificate or ""
                found += [f"# {state.realm}: {provider.describe()}, SHA-256 {provider.fingerprint()}",
                          "-----BEGIN CERTIFICATE-----", *(body[i:i + 64] for i in range(0, len(body), 64)),
                          "-----END CERTIFICATE-----"]
        return found

    # --- helpers -------------------------------------------------------------------------------
    def _realm_args(self) -> str:
        return "".join(f" --realm {r}" for r in self.selected)

    def _finish_after(self, states: list[RealmKeys]) -> dt.datetime:
        dues = [phases.finish_after(s, int(self.admin.get(f"/{q(s.realm)}").get("accessTokenLifespan") or 300))
                for s in states]
        return max((d for d in dues if d is not None), default=self.now())

    def _unpublished(self, states: list[RealmKeys], links: list[consumers.Link]) -> list[str]:
        """Where a link (or the realm's own IdP metadata) does not publish the realm's current keys first."""
        problems = []
        for state in states:
            own = f"{self.admin.target.url}/realms/{state.realm}/protocol/saml/descriptor"
            urls = [own, *(link.metadata_url for link in links if link.source == state.realm)]
            for url in urls:
                published = consumers.read_metadata(self.admin, url)
                for use in USES if url != own else (SIGNING,):
                    current = [p.kid for p in state.current(use) if not p.retiring][:1]
                    if current and published[use.name][:1] != current:
                        problems.append(f"{url} publishes {use.name} keys {published[use.name]}, "
                                        f"not {current[0]} first")
        return problems


def _realm_lines(state: RealmKeys) -> list[str]:
    doing = (f"rotation {state.rotation} rolled back, its keys retiring" if phases.rolled_back(state)
             else f"rotation {state.rotation} in progress" if state.rotation else "no rotation in progress")
    return [f"{state.realm}: {doing}", *(f"  {p.describe()}"
                                         for use in USES for p in state.of(use))]


def _outside_lines(outside: list[consumers.Outside], states: list[RealmKeys], when: str) -> list[str]:
    if not outside:
        return []
    signing = {s.realm: s.current(SIGNING)[:1] for s in states}
    lines = [f"outside the federation's realms, to do {when} (trustcircle cannot refresh them):"]
    for party in outside:
        new = signing.get(party.realm) or []
        print_fp = f" (new signing certificate SHA-256 {new[0].fingerprint()})" if new else ""
        lines.append(f"  {party.describe()}{print_fp}")
    lines.append("  the certificates as PEM: ./run rotate keys status --pem")
    return lines


def _indent(lines: list[str]) -> list[str]:
    return [f"  {line}" for line in lines] or ["  (none)"]


def _clock(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
