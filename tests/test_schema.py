"""The committed JSON Schema is generated from the model, and accepts exactly what editors should."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from trustcircle.model import jsonschema as generated
from trustcircle.model import reference
from trustcircle.settings import REPO_ROOT

FILES = sorted((REPO_ROOT / "realms").rglob("*.yaml"))


def _as_editor_sees(node: Any) -> Any:
    """YAML 1.2 editors read 2026-01-01 as a string; PyYAML makes it a date."""
    if isinstance(node, dict):
        return {k: _as_editor_sees(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_as_editor_sees(v) for v in node]
    return node.isoformat() if isinstance(node, dt.date) else node


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(generated.SCHEMA_PATH.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_committed_schema_is_the_generated_one() -> None:
    assert generated.is_current(), "schema/trustcircle.schema.json drifted from the model: run ./run schema"


def test_committed_reference_page_is_the_generated_one() -> None:
    assert reference.is_current(), "docs/reference.md drifted from the model: run ./run schema"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_every_reference_file_names_and_satisfies_the_schema(path: Path, validator: Draft202012Validator) -> None:
    document = _as_editor_sees(yaml.safe_load(path.read_text()))
    assert (path.parent / document["$schema"]).resolve() == generated.SCHEMA_PATH
    assert list(validator.iter_errors(document)) == []


def test_schema_rejects_an_unknown_field(validator: Draft202012Validator) -> None:
    document = _as_editor_sees(yaml.safe_load((REPO_ROOT / "realms/conventions/cnaf-cd33.yaml").read_text()))
    document["convention"]["signed_by"] = "nobody"
    assert not validator.is_valid(document)
