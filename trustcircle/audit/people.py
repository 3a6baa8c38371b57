"""Who an audit record is about: the agent's username and organisation, never a bare id.

The listener writes the user's id; the username is in the ``details`` of the events that carry
it (a login's), the organisation is the realm's (an organisation realm) or, at a provider, the
identity provider the agent came through (its alias is the organisation's id). Events that carry
neither (a token issued, a logout) borrow them from the other events of the same user or user
session, and, when an admin API is at hand, from Keycloak itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from trustcircle.audit.records import Record

# (realm, user id) → username, from Keycloak's admin API (None when it does not know the user)
Lookup = Callable[[str, str], str | None]


@dataclass(frozen=True)
class Agent:
    username: str
    organisation: str

    def render(self) -> str:
        return f"{self.username} ({self.organisation})" if self.organisation else self.username


def _subject(record: Record) -> tuple[str, str] | None:
    """(realm, user id) of the person who acted: the user of a user event, the admin of an admin event."""
    if record.get("kind") == "admin":
        realm, user = record.get("auth_realm"), record.get("auth_user")
    else:
        realm, user = record.get("realm"), record.get("user")
    return (str(realm), str(user)) if realm and user else None


def _keys(record: Record) -> list[tuple[str, str]]:
    """What ties a record to a person, the strongest first: the transaction (both sides of a
    brokered login), the user, the user session."""
    keys = [("transaction", str(record["transaction"]))] if record.get("transaction") else []
    subject = _subject(record)
    keys += [subject] if subject else []
    if record.get("user_session"):
        keys.append((str(record.get("realm")), f"session:{record['user_session']}"))
    return keys


class Directory:
    """Usernames and organisations learnt from the records themselves, then from ``lookup``.

    The agent's home realm names them for the whole transaction; at a provider, the identity
    provider the agent came through names the organisation."""

    def __init__(self, records: Iterable[Record], organisation_of_realm: dict[str, str],
                 lookup: Lookup | None = None) -> None:
        self._realms, self._lookup = organisation_of_realm, lookup
        self._names: dict[tuple[str, str], str] = {}
        self._orgs: dict[tuple[str, str], str] = {}
        records = list(records)
        home = [r for r in records if str(r.get("realm")) in self._realms]
        away = [r for r in records if str(r.get("realm")) not in self._realms]
        for record in home:  # the home realm names the agent for the whole transaction
            self._learn(record, _keys(record), self._realms[str(record.get("realm"))])
        for record in away:  # ... and so for the provider's user and session of that transaction
            keys = _keys(record)
            for table in (self._names, self._orgs):
                if keys and keys[0] in table:
                    for key in keys[1:]:
                        table.setdefault(key, table[keys[0]])
        for record in away:
            details = record.get("details") or {}
            self._learn(record, [k for k in _keys(record) if k[0] != "transaction"], details.get("identity_provider"))

    def _learn(self, record: Record, keys: list[tuple[str, str]], organisation: str | None) -> None:
        if record.get("kind") == "admin":  # an admin event's details are not about its author
            return
        name = (record.get("details") or {}).get("username") if _subject(record) else None
        for key in keys:
            if name:
                self._names.setdefault(key, str(name))
            if organisation:
                self._orgs.setdefault(key, str(organisation))

    def agent(self, record: Record) -> Agent | None:
        """Who acted; for an event without a user (a first broker login), the transaction's agent."""
        subject = _subject(record)
        keys = [subject] if record.get("kind") == "admin" and subject else _keys(record)
        name = next((self._names[k] for k in keys if k in self._names), None)
        if name is None and subject is not None and self._lookup is not None:
            name = self._lookup(*subject)
            if name is not None:
                self._names[subject] = name
        if subject is None and name is None:
            return None
        home = self._realms.get(subject[0], "") if subject else ""
        org = next((self._orgs[k] for k in keys if k in self._orgs), home)
        return Agent(name or f"unknown user {subject[1] if subject else ''}", org)
