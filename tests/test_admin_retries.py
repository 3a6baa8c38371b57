"""Which Keycloak answers the admin client sends its request again for (a bounded number of times)."""

from __future__ import annotations

import pytest

from trustcircle.keycloak.admin import retryable

BROKEN_ANSWER = '{"error":"unknown_error","error_description":"Cannot parse the JSON"}'


@pytest.mark.parametrize(("method", "status", "text", "again"), [
    ("GET", 503, "", True), ("PUT", 500, "", True), ("DELETE", 502, "", True),
    ("POST", 500, "", False),  # it may have acted: a second POST would duplicate or conflict
    ("GET", 400, BROKEN_ANSWER, True),  # Keycloak failed writing its answer to a read
    ("PUT", 400, BROKEN_ANSWER, False),  # a body we sent that it could not parse: ours to fix
    ("GET", 400, '{"error":"invalid_request"}', False),
    ("GET", 404, "", False), ("GET", 403, "", False), ("GET", 409, "", False),
])
def test_only_answers_a_second_identical_request_can_change_are_retried(method: str, status: int, text: str,
                                                                        again: bool) -> None:
    assert retryable(method, status, text) is again
