"""What the compiler needs to know about the deployment (not part of the model)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Environment:
    public_url: str  # Keycloak's public base URL, e.g. https://127.0.0.1:8443

    def realm_url(self, realm: str) -> str:
        return f"{self.public_url.rstrip('/')}/realms/{realm}"
