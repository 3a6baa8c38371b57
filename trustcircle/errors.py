"""The few exceptions trustcircle raises on purpose. Each carries a hint that says how to fix it."""

from __future__ import annotations


class TrustcircleError(Exception):
    """An error a user can act on: ``str(err)`` says what went wrong, ``err.hint`` what to do,
    ``exit_code`` the command's exit status."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint

    def render(self) -> str:
        text = f"trustcircle: error: {self}"
        return f"{text}\n  how to fix: {self.hint}" if self.hint else text


class ConfigurationError(TrustcircleError):
    """The machine or the environment is not set up as trustcircle needs."""


class LocalServerError(TrustcircleError):
    """The local Keycloak could not be started, reached or stopped."""


class KeycloakApiError(TrustcircleError):
    """The Keycloak admin API refused a call or could not be reached."""


class ConflictError(KeycloakApiError):
    """Keycloak answered 409: an object of that name exists (made since it was last read)."""


class ModelError(TrustcircleError):
    """The federation's declarative model (``realms/``) is invalid."""


class RotationError(TrustcircleError):
    """A key rotation cannot go on as asked (one in progress, none to finish, too early); nothing
    was changed."""
