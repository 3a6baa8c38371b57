"""The breached-password deny-list Keycloak's ``passwordBlacklist`` policy reads.

Its content is the 30,000 most common passwords of public breach corpora, as shipped by the
``zxcvbn`` package (pinned in requirements.lock: no download at run time). Keycloak compares
passwords in lower case, so the list is written in lower case, one per line. An operator with a
larger list (for example one derived from a breach-notification service's corpus) installs it under
the same file name instead.
"""

from __future__ import annotations

from pathlib import Path

from trustcircle.compiler.policies import DENY_LIST_FILE


def deny_list() -> list[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

    seen: dict[str, None] = {}
    for password in FREQUENCY_LISTS["passwords"]:
        seen.setdefault(str(password).lower(), None)
    return list(seen)


def install(keycloak_home: Path) -> bool:
    """Write the list into ``<keycloak home>/data/password-blacklists/``; True when it changed."""
    path = keycloak_home / "data" / "password-blacklists" / DENY_LIST_FILE
    content = "\n".join(deny_list()) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)
    return True
