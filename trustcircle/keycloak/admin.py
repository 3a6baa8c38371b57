"""A thin admin-API session over python-keycloak: timeouts, bounded retries, clear errors.

python-keycloak refreshes the admin token when it expires, so long runs do not fail on expiry.
Every call has a timeout; connection failures (for a POST: only when no connection was made) and
5xx answers to idempotent calls are retried, a bounded number of times with back-off. Error
messages never contain credentials.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any
from urllib.parse import quote, unquote

import requests
from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakError
from requests import Response

from trustcircle.errors import ConflictError, KeycloakApiError
from trustcircle.keycloak.view import RealmView
from trustcircle.target import Target

TIMEOUT_S = 30
RETRIES = 3
BACKOFF_S = 1.0
VIEW_MAX_AGE_S = 120.0
# When set, every admin call is appended to this file ("read|write METHOD path"): the provisioning
# benchmark counts calls made by the Pulumi provider process this way.
CALL_LOG_ENV = "TRUSTCIRCLE_CALL_LOG"


def q(segment: str) -> str:
    """Quote one path segment (client ids are URLs)."""
    return quote(segment, safe="")


def retryable(method: str, status: int, text: str) -> bool:
    """Whether an answer is worth the same request again: a server error on an idempotent method,
    or a GET answered 400 "Cannot parse the JSON" — a GET sends no JSON: Keycloak failed while
    writing its answer (seen listing a realm's flows while others were created in parallel; its
    realm cache is briefly inconsistent), and the next read succeeds."""
    if status >= 500:
        return method in ("GET", "PUT", "DELETE")
    return method == "GET" and status == 400 and "Cannot parse the JSON" in text


class Admin:
    """Calls to ``/admin/realms/...`` of one target.

    With ``realm_views``, handlers read whole realms at once (:meth:`view`) until the session
    writes to that realm; from then on they read that realm object by object, so what a run wrote
    is always read back as it is now. Views live ``VIEW_MAX_AGE_S`` at most.
    """

    def __init__(self, target: Target, realm_views: bool = False) -> None:
        self.target = target
        self.calls = {"GET": 0, "POST": 0, "PUT": 0, "DELETE": 0}
        self.realm_views = realm_views
        self._views: dict[str, tuple[float, RealmView]] = {}
        self._written: set[str] = set()
        self._lock = threading.Lock()
        self._realm_locks: dict[str, threading.Lock] = {}
        self._call_log = os.environ.get(CALL_LOG_ENV)
        username, password = target.credentials()
        try:
            self._kc = KeycloakAdmin(server_url=target.url + "/", username=username, password=password,
                                     realm_name="master", user_realm_name="master", client_id="admin-cli",
                                     verify=str(target.ca_bundle), timeout=TIMEOUT_S)
            self._kc.connection.get_token()
        except KeycloakError as err:
            raise KeycloakApiError(f"cannot log in to the Keycloak admin API at {target.url}: "
                                   f"{_short(err)}",
                                   "check that Keycloak runs (./run local status) and the admin credentials file "
                                   f"{target.admin_credentials}") from err

    def view(self, realm: str) -> RealmView | None:
        """The whole realm in one read, or None when this session wrote to it (read directly then).

        Objects of one realm are read concurrently (Pulumi refreshes in parallel): the first
        builds the view, the others wait for it instead of exporting the realm again."""
        if not self.realm_views:
            return None
        with self._lock:
            realm_lock = self._realm_locks.setdefault(realm, threading.Lock())
        with realm_lock:
            with self._lock:
                if realm in self._written:
                    return None
                cached = self._views.get(realm)
                if cached is not None and time.monotonic() - cached[0] < VIEW_MAX_AGE_S:
                    return cached[1]
            resp = self._send("POST", f"/{q(realm)}/partial-export?exportClients=true&exportGroupsAndRoles=true",
                              {}, expected=(200, 404), read=True)
            view = RealmView() if resp.status_code == 404 else RealmView.of(resp.json())
            with self._lock:
                if realm in self._written:
                    return None
                self._views[realm] = (time.monotonic(), view)
            return view

    def _note(self, method: str, path: str, body: Any, read: bool) -> None:
        if not read:
            realm = unquote(path.split("/")[1].split("?")[0]) if path else (body or {}).get("realm")
            with self._lock:
                self._written.add(str(realm))
                self._views.pop(str(realm), None)
        if self._call_log:
            with self._lock, open(self._call_log, "a", encoding="utf-8") as log:
                log.write(f"{'read' if read else 'write'} {method} {path.split('?')[0] or '/'}\n")

    def _send(self, method: str, path: str, body: Any = None, expected: tuple[int, ...] = (200,),
              read: bool = False, base: str = "admin/realms") -> Response:
        conn = self._kc.connection
        url = f"{base}{path}"
        for attempt in range(RETRIES + 1):
            self.calls[method] += 1
            self._note(method, path, body, read or method == "GET")
            try:
                if method == "GET":
                    resp: Response = conn.raw_get(url)
                elif method == "DELETE":
                    resp = conn.raw_delete(url, data=None if body is None else json.dumps(body))
                else:
                    send = conn.raw_post if method == "POST" else conn.raw_put
                    resp = send(url, data=json.dumps(body))
            except KeycloakError as err:
                # a POST is retried only when no connection was made: after a read timeout the
                # server may have acted already, and a second POST would duplicate or conflict
                never_sent = isinstance(err.__cause__, requests.ConnectionError)
                if attempt < RETRIES and (method != "POST" or never_sent):
                    time.sleep(BACKOFF_S * 2**attempt)
                    continue
                raise KeycloakApiError(f"{method} {url}: Keycloak at {self.target.url} unreachable ({_short(err)})",
                                       "check that Keycloak runs (./run local status), then run again") from err
            if attempt < RETRIES and retryable(method, resp.status_code, resp.text):
                time.sleep(BACKOFF_S * 2**attempt)
                continue
            if resp.status_code == 409 and 409 not in expected:
                raise ConflictError(f"{method} {url} answered 409: {resp.text[:300]}",
                                    "an object of that name exists: run again (it is read back first)")
            if resp.status_code not in expected:
                raise KeycloakApiError(f"{method} {url} answered {resp.status_code}: {resp.text[:300]}",
                                       "read Keycloak's answer; run `pulumi refresh` if the object changed by hand")
            return resp
        raise AssertionError("unreachable")

    def get(self, path: str, missing_ok: bool = False) -> Any:
        resp = self._send("GET", path, expected=(200, 404) if missing_ok else (200,))
        return None if resp.status_code == 404 else resp.json()

    def get_realm_resource(self, realm: str, path: str) -> Any:
        """A GET of the extension's resources under ``/realms/<realm>/`` (with the admin's token)."""
        return self._send("GET", f"/{q(realm)}/{path}", base="realms").json()

    def post_realm_resource(self, realm: str, path: str, body: Any) -> None:
        """A POST to the extension's resources under ``/realms/<realm>/`` (with the admin's token)."""
        self._send("POST", f"/{q(realm)}/{path}", body, expected=(200, 204), base="realms")

    def put_realm_resource(self, realm: str, path: str, body: Any) -> None:
        """A PUT to the extension's resources under ``/realms/<realm>/`` (with the admin's token)."""
        self._send("PUT", f"/{q(realm)}/{path}", body, expected=(200, 204), base="realms")

    def server_info(self) -> dict[str, Any]:
        """Keycloak's server information (its version, features and loaded providers)."""
        info: dict[str, Any] = self._send("GET", "/serverinfo", base="admin").json()
        return info

    def get_text(self, path: str) -> str:
        """A GET whose answer is not JSON (XML descriptors, for instance)."""
        return self._send("GET", path).text

    def post(self, path: str, body: Any) -> str | None:
        """POST; returns the id from the Location header when Keycloak gives one."""
        resp = self._send("POST", path, body, expected=(200, 201, 204))
        location = resp.headers.get("Location")
        return location.rstrip("/").rsplit("/", 1)[-1] if location else None

    def post_json(self, path: str, body: Any) -> Any:
        """POST whose answer is JSON (a realm's partial export, for instance)."""
        return self._send("POST", path, body, expected=(200,), read=True).json()

    def put(self, path: str, body: Any) -> None:
        self._send("PUT", path, body, expected=(200, 201, 204))  # authorization policies answer 201

    def delete(self, path: str, body: Any = None) -> None:
        self._send("DELETE", path, body, expected=(200, 204, 404))


def _short(err: Exception) -> str:
    text = str(err)
    return text if len(text) < 200 else text[:200] + "…"
