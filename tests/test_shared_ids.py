"""The identifiers the Python compiler writes are the ones the Java extension reads."""

from __future__ import annotations

import re

from trustcircle.compiler import ids
from trustcircle.settings import REPO_ROOT

JAVA = REPO_ROOT / "extensions/convention-gate/src/main/java/eu/trustcircle/keycloak/conventiongate/TrustcircleIds.java"


def _java_constants() -> dict[str, str]:
    return dict(re.findall(r'static final String (\w+) = "([^"]*)";', JAVA.read_text()))


def test_python_and_java_agree_on_the_convention_contract() -> None:
    java = _java_constants()
    assert java["PROVIDER_ID"] == ids.CONVENTION_GATE_PROVIDER_ID
    assert java["CLIENT_SERVICE"] == ids.SERVICE_ATTR
    assert java["CONVENTION_SERVICE"] == ids.CONVENTION_SERVICE_ATTR
    assert java["CONVENTION_STATUS"] == ids.CONVENTION_STATUS_ATTR
    assert java["CONVENTION_VALID_FROM"] == ids.CONVENTION_VALID_FROM_ATTR
    assert java["CONVENTION_VALID_UNTIL"] == ids.CONVENTION_VALID_UNTIL_ATTR
    assert java["STATUS_VERIFIED"] == "verified"
