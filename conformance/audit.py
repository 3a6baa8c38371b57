"""The local audit trail as the tests read it: the listener writes a record after Keycloak
answers, so a test waits a little (bounded) for the records it expects."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from trustcircle.audit.trace import read
from trustcircle.settings import Paths

AUDIT = Paths.from_env().audit_file


def wait_for_records(matches: Callable[[dict[str, Any]], bool],
                     enough: Callable[[list[dict[str, Any]]], bool] = bool,
                     timeout_s: float = 10) -> list[dict[str, Any]]:
    """The records ``matches`` selects, once ``enough`` holds for them (at least one by default) or
    ``timeout_s`` has passed."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = [r for r in read([AUDIT]) if matches(r)] if AUDIT.exists() else []
        if enough(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.3)
