"""A synthetic history of the federation's use, in the audit trail's shape, for the supervision
benchmark (and, later, the dashboards' checks against a known truth).

AGENTS agents of the reference federation's organisations over DAYS days ending at END: agents
unevenly spread over organisations (a few large, most small), each with a habit of signing in
(drawn from a skewed law: many occasional users, a few daily ones; a share who never sign in in
the period), working-day sign-ins around 8:30 and 14:00, each a sign-in at home and a brokered
sign-in at the provider, followed by a few consultations of the e-service's API (rubriques drawn
with a skewed popularity), and now and then a lockout after failed passwords. The truth the
dashboards must find is returned with the lines: who never signed in, how many consultations each
agent made, how many lockouts.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ORGANISATIONS = ("cd33", "ccas-bordeaux", "caf75", "cpam69", "chu-lyon", "habitat-33", "asso-solidarite")
RUBRIQUES = ("adresse", "rsa", "famille", "quotient-familial", "prime-activite", "aah", "logement")
PROVIDER, SERVICE, API_CLIENT = "cnaf", "urn:trustcircle:sp:cdap", "urn:trustcircle:app:{org}:gestion"
INACTIVE_SHARE = 0.04


@dataclass
class Truth:
    roster: list[tuple[str, str, str]]  # every agent: account id at home, username, organisation
    inactive: set[str] = field(default_factory=set)
    consultations: Counter[str] = field(default_factory=Counter)
    lockouts: Counter[str] = field(default_factory=Counter)
    lines: int = 0


def _stamp(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def history(agents: int, days: int, end: dt.date, seed: int = 20) -> tuple[Iterator[str], Truth]:
    """The lines (oldest day first, in time order within a day) and the truth about them."""
    rng = random.Random(seed)  # noqa: S311 (a benchmark's sample, not a secret)
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(ORGANISATIONS))]
    people = [(f"u-{n:06d}", f"agent-{n:06d}", rng.choices(ORGANISATIONS, weights)[0]) for n in range(agents)]
    habit = [0.0 if rng.random() < INACTIVE_SHARE else min(0.95, rng.paretovariate(1.3) * 0.05) for _ in people]
    truth = Truth(people, {p[0] for p, h in zip(people, habit, strict=True) if h == 0.0})
    popularity = [1 / (rank + 1) for rank in range(len(RUBRIQUES))]
    start = end - dt.timedelta(days=days - 1)

    def lines() -> Iterator[str]:
        for offset in range(days):
            day = start + dt.timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            events: list[tuple[dt.datetime, dict[str, object]]] = []
            for (user, username, org), daily in zip(people, habit, strict=True):
                if daily == 0.0 or rng.random() >= daily:
                    continue
                peak = 8.5 if rng.random() < 0.7 else 14.0
                at = dt.datetime.combine(day, dt.time(), dt.UTC) + dt.timedelta(
                    hours=max(7.0, min(18.5, rng.gauss(peak, 0.6))))
                if rng.random() < 0.004:  # failed passwords, then the account frozen for a while
                    truth.lockouts[user] += 1
                    for tries in range(3):
                        events.append((at + dt.timedelta(seconds=tries * 4), {
                            "kind": "user", "realm": org, "type": "LOGIN_ERROR", "client": "broker", "user": user,
                            "error": "invalid_user_credentials", "details": {"username": username}}))
                    events.append((at + dt.timedelta(seconds=12), {
                        "kind": "user", "realm": org, "type": "USER_DISABLED_BY_TEMPORARY_LOCKOUT", "user": user,
                        "details": {"username": username}}))
                    continue
                events.append((at, {"kind": "user", "realm": org, "type": "LOGIN", "client": "broker",
                                    "user": user, "details": {"username": username}}))
                events.append((at + dt.timedelta(seconds=1), {
                    "kind": "user", "realm": PROVIDER, "type": "IDENTITY_PROVIDER_LOGIN", "client": SERVICE,
                    "user": f"g-{user}", "details": {"identity_provider": org, "username": f"{org}.{username}"}}))
                for call in range(rng.choice((1, 1, 2, 3, 5, 8))):
                    asked = sorted(set(rng.choices(RUBRIQUES, popularity, k=rng.randint(1, 3))))
                    truth.consultations[user] += 1
                    events.append((at + dt.timedelta(seconds=20 + 40 * call), {
                        "kind": "api", "realm": PROVIDER, "type": "API_CALL",
                        "client": API_CLIENT.format(org=org), "user": f"g-{user}",
                        "details": {"api": "cdap-api", "username": f"{org}.{username}", "identity_provider": org,
                                    "rubriques": asked}}))
            events.sort(key=lambda pair: pair[0])
            for at, record in events:
                truth.lines += 1
                yield json.dumps({"time": _stamp(at), **record}, separators=(",", ":")) + "\n"

    return lines(), truth


def write(path: Path, agents: int, days: int, end: dt.date) -> Truth:
    lines, truth = history(agents, days, end)
    with path.open("w", encoding="utf-8") as out:
        out.writelines(lines)
    return truth
