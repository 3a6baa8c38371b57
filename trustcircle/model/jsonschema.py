"""The JSON Schema of realms/ files, generated from the model (the one source of truth).

``schema/trustcircle.schema.json`` is committed so editors can autocomplete (each file names it in
``$schema``); ``trustcircle schema --check`` and a test fail when it drifts from the model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, create_model

from trustcircle.model.schema import Convention, FederationSettings, Organisation, Provider
from trustcircle.settings import REPO_ROOT

SCHEMA_PATH = REPO_ROOT / "schema" / "trustcircle.schema.json"
SCHEMA_ID = "https://trustcircle.invalid/schema/trustcircle.schema.json"
DOCUMENTS: dict[str, type[BaseModel]] = {
    "federation": FederationSettings,
    "provider": Provider,
    "organisation": Organisation,
    "convention": Convention,
}


def build_schema() -> dict[str, Any]:
    """One schema for every file: exactly one top-level key naming the kind, plus ``$schema``."""
    variants: list[type[BaseModel]] = []
    for kind, model in DOCUMENTS.items():
        fields: dict[str, Any] = {kind: (model, ...)}
        variants.append(create_model(f"{kind.capitalize()}File", **fields))
    defs: dict[str, Any] = {}
    one_of = []
    for variant in variants:
        schema = variant.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        schema["properties"]["$schema"] = {"type": "string", "description": "path or URL of this schema"}
        schema["additionalProperties"] = False
        one_of.append(schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "trustcircle realms/ file",
        "description": "A federation, provider, organisation or convention of a trustcircle federation.",
        "oneOf": one_of,
        "$defs": dict(sorted(defs.items())),
    }


def render() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write(path: Path = SCHEMA_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")


def is_current(path: Path = SCHEMA_PATH) -> bool:
    return path.exists() and path.read_text(encoding="utf-8") == render()
