"""Dates of a convention's history that contradict each other: an amendment verified before it
was prepared (TC402), prepared before the amendment it follows (TC405), a convention terminated
before it was prepared or before a verification (TC404). Each finding names both dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from trustcircle.model.findings import Path, issue
from trustcircle.model.issues import Issue
from trustcircle.model.schema import Convention

if TYPE_CHECKING:
    from trustcircle.model.document import Located


def _events(conv: Convention) -> Iterator[tuple[dt.date, str]]:
    """What cannot follow a termination: the convention's preparation, and any verification (an
    amendment prepared later and never verified changes nothing, and is allowed)."""
    yield conv.amendments[0].prepared_on, "it was prepared"
    for amendment in conv.amendments:
        if amendment.verified_on is not None:
            yield amendment.verified_on, f"amendment {amendment.number} was verified"


def history_rules(item: Located, conv: Convention) -> Iterator[Issue]:
    for index, amendment in enumerate(conv.amendments):
        at: Path = ["amendments", index]
        if amendment.verified_on and amendment.verified_on < amendment.prepared_on:
            yield issue(item, [*at, "verified_on"], "TC402", f"verified on {amendment.verified_on}, before it was "
                        f"prepared ({amendment.prepared_on})", "verified_on must not precede prepared_on")
        previous = conv.amendments[index - 1] if index else None
        if previous is not None and amendment.prepared_on < previous.prepared_on:
            yield issue(item, [*at, "prepared_on"], "TC405", f"amendment {amendment.number} prepared on "
                        f"{amendment.prepared_on}, before amendment {previous.number} was ({previous.prepared_on})",
                        "each amendment follows the previous one: check both dates")
    if conv.terminated_on is not None:
        later = [(day, what) for day, what in _events(conv) if day > conv.terminated_on]
        if later:
            day, what = max(later)
            yield issue(item, ["terminated_on"], "TC404", f"terminated on {conv.terminated_on}, before {what} "
                        f"({day})", "a convention is terminated after the last event of its history: check "
                        "terminated_on and that date")
