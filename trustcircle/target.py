"""A *target*: the Keycloak deployment trustcircle talks to (URL, CA bundle, admin credentials).

The local runtime writes ``target.json`` for itself; any other deployment is described by the same
three things (``TRUSTCIRCLE_TARGET`` names such a file). The credentials file is JSON
``{"username": ..., "password": ...}`` with mode 0600; its content is never logged.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustcircle.errors import ConfigurationError
from trustcircle.settings import Paths


def write_private_json(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    os.chmod(path, 0o600)


ADMIN_USERNAME_ENV = "TRUSTCIRCLE_ADMIN_USERNAME"
ADMIN_PASSWORD_ENV = "TRUSTCIRCLE_ADMIN_PASSWORD"  # noqa: S105 (the variable's name, not a password)


@dataclass(frozen=True)
class Target:
    url: str
    ca_bundle: Path
    admin_credentials: Path
    # the realms' outgoing mail (Keycloak's smtpServer settings: host, port, from, starttls, ...);
    # none: realms send no mail (no account mails, no "forgot password")
    smtp: dict[str, str] | None = None

    def save(self, path: Path) -> None:
        data: dict[str, object] = {"url": self.url, "ca_bundle": str(self.ca_bundle),
                                   "admin_credentials": str(self.admin_credentials)}
        if self.smtp:
            data["smtp"] = self.smtp
        path.write_text(json.dumps(data, indent=2) + "\n")

    @classmethod
    def load(cls, path: Path | None = None) -> Target:
        """The target named by ``TRUSTCIRCLE_TARGET``, else the local federation's."""
        if path is None:
            env = os.environ.get("TRUSTCIRCLE_TARGET")
            path = Path(env) if env else Paths.from_env().local / "target.json"
        if not path.exists():
            raise ConfigurationError(f"no target description at {path}",
                                     "start the local federation with ./run up, or set TRUSTCIRCLE_TARGET")
        return cls.from_dict(json.loads(path.read_text()), str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str) -> Target:
        """A target from its JSON description (``source`` names where it came from, for errors)."""
        smtp = data.get("smtp")
        if smtp is not None and not (isinstance(smtp, dict) and "host" in smtp and "from" in smtp):
            raise ConfigurationError(f"{source}: smtp must be an object with at least host and from",
                                     'e.g. "smtp": {"host": "smtp.example.org", "port": "587", '
                                     '"from": "no-reply@example.org", "starttls": "true"}')
        return cls(url=data["url"].rstrip("/"), ca_bundle=Path(data["ca_bundle"]),
                   admin_credentials=Path(data["admin_credentials"]),
                   smtp={str(k): str(v) for k, v in smtp.items()} if smtp else None)

    def credentials(self) -> tuple[str, str]:
        """From ``TRUSTCIRCLE_ADMIN_USERNAME`` and ``TRUSTCIRCLE_ADMIN_PASSWORD`` when both are set
        (a secret store or CI injects them), else from the credentials file (mode 0600)."""
        username, password = os.environ.get(ADMIN_USERNAME_ENV), os.environ.get(ADMIN_PASSWORD_ENV)
        if username and password:
            return username, password
        try:
            data = json.loads(self.admin_credentials.read_text())
            return data["username"], data["password"]
        except (OSError, ValueError, KeyError) as err:
            raise ConfigurationError(f"cannot read admin credentials from {self.admin_credentials}",
                                     "the file must be JSON with username and password") from err
