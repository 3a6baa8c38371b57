"""A convention's validity as Keycloak holds it: ``valid_from`` is the instant its first day begins
and ``valid_until`` the instant after its last day ends, both at midnight in the federation's time
zone, written in UTC (the convention gate compares them with now). ``written`` gives back the day
as ``realms/`` writes it, for what a person reads (the preview)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_DAY = dt.timedelta(days=1)


def first_instant(day: dt.date, zone: ZoneInfo) -> str:
    """The instant ``day`` begins (``valid_from``)."""
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone).astimezone(dt.UTC).strftime(_FORMAT)


def end_instant(day: dt.date, zone: ZoneInfo) -> str:
    """The instant ``day`` is over (``valid_until``: the last day is included)."""
    return first_instant(day + _DAY, zone)


def written(instant: str, zone: ZoneInfo, *, end: bool) -> str:
    """The day of ``first_instant`` (or, with ``end``, of ``end_instant``) as realms/ writes it;
    a value that is not such an instant is given back as it is."""
    try:
        moment = dt.datetime.strptime(instant, _FORMAT).replace(tzinfo=dt.UTC).astimezone(zone)
    except ValueError:
        return instant
    if moment.time() != dt.time(0, 0):
        return instant
    return (moment.date() - _DAY if end else moment.date()).isoformat()
