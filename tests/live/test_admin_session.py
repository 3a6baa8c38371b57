"""The admin session outlives its tokens: a long run does not fail when an access token expires."""

from __future__ import annotations

import datetime as dt

from trustcircle.keycloak.admin import Admin
from trustcircle.target import Target


def test_an_expired_access_token_is_renewed_and_the_call_succeeds(target: Target) -> None:
    admin = Admin(target)
    connection = admin._kc.connection
    assert connection.token is not None
    # what Keycloak says of a token past its lifetime: 401; the session renews and calls again
    connection.token = {**connection.token, "access_token": "expired.token.value"}
    assert admin.get("/master")["realm"] == "master"


def test_a_token_near_its_end_is_renewed_before_the_call(target: Target) -> None:
    admin = Admin(target)
    connection = admin._kc.connection
    before = connection.token["access_token"]
    connection._expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert admin.get("/master")["realm"] == "master"
    assert connection.token["access_token"] != before
