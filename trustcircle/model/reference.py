"""docs/reference.md, generated from the JSON Schema (so from the model): one table per object."""

from __future__ import annotations

import json
from typing import Any

from trustcircle.model.catalogue import RULES
from trustcircle.model.jsonschema import build_schema
from trustcircle.model.profiles import PROFILES, SOURCES
from trustcircle.settings import REPO_ROOT

REFERENCE_PATH = REPO_ROOT / "docs" / "reference.md"


def _type(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        name = spec["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in spec:
        return " or ".join(_type(s) for s in spec["anyOf"])
    if "oneOf" in spec:
        return " or ".join(_type(s) for s in spec["oneOf"])
    if "const" in spec:
        return f"`{spec['const']}`"
    if "enum" in spec:
        return " \\| ".join(f"`{v}`" for v in spec["enum"])
    kind = spec.get("type", "any")
    if kind == "array":
        return f"list of {_type(spec.get('items', {}))}"
    if kind == "object" and "additionalProperties" in spec and isinstance(spec["additionalProperties"], dict):
        return f"map of {_type(spec['additionalProperties'])}"
    fmt = f" ({spec['format']})" if "format" in spec else ""
    pattern = f" matching `{spec['pattern']}`" if "pattern" in spec else ""
    return f"{kind}{fmt}{pattern}"


def _object(name: str, spec: dict[str, Any]) -> list[str]:
    lines = [f"## {name}", "", spec.get("description", "").strip(), "",
             "| field | type | required | default | description |", "| --- | --- | --- | --- | --- |"]
    required = set(spec.get("required", []))
    for field, fspec in spec.get("properties", {}).items():
        plain = "default" in fspec and not isinstance(fspec["default"], dict)
        default = f"`{json.dumps(fspec['default'], ensure_ascii=False)}`" if plain else ""
        description = fspec.get("description", "").replace("\n", " ").replace("|", "\\|")
        lines.append(f"| `{field}` | {_type(fspec)} | {'yes' if field in required else ''} | {default} | "
                     f"{description} |")
    return [*lines, ""]


def _value(value: object) -> str:
    if value is None:
        return "none"
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def _profiles() -> list[str]:
    """The policy profiles side by side, each value with its source; differences in bold."""
    profiles = list(PROFILES.values())
    lines = ["## Policy profiles", "",
             "`federation.policy_profile` picks one; `policies` may only tighten it (TC603), an organisation's",
             "`policies` may only tighten the federation's (TC601). Settings that differ are in bold.", "",
             *(f"- *{short}*: {full}" for short, full in SOURCES.items()), "",
             "| setting | " + " | ".join(f"`{p.id}`: {p.title}" for p in profiles) + " |",
             "| --- |" + " --- |" * len(profiles)]
    for setting in profiles[0].sources:
        section, _, name = setting.rpartition(".")
        values = [getattr(getattr(p.policies, section) if section else p.policies, name) for p in profiles]
        mark = "**" if len({json.dumps(v) for v in values}) > 1 else ""
        cells = [f"{mark}{_value(v)}{mark} — {p.sources[setting]}" for v, p in zip(values, profiles, strict=True)]
        lines.append(f"| `{setting}` | " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return [*lines, ""]


def _rules() -> list[str]:
    """The validation rules, from the catalogue: what ``trustcircle validate`` may report."""
    lines = ["## Validation rules", "",
             "Every finding of `trustcircle validate` names its file, line, column, key path, one of these",
             "rules and a hint. Findings of the TC0xx rules (files, YAML, field types) are listed first: the",
             "other rules skip an object whose file has one, so nothing that follows from it is reported.", "",
             "| rule | what | why |", "| --- | --- | --- |"]
    lines += [f"| {r.id} | {r.title} | {r.rationale.replace('|', chr(92) + '|')} |" for r in RULES.values()]
    return [*lines, ""]


def render() -> str:
    schema = build_schema()
    lines = ["# Model reference", "",
             "Generated from the model by `./run schema` (a test fails when this page drifts). A file of",
             "`realms/` holds one of: `federation` ([FederationSettings](#federationsettings)), `provider`",
             "([Provider](#provider)), `organisation` ([Organisation](#organisation)) or `convention`",
             "([Convention](#convention)), plus `$schema`.", ""]
    for name, spec in schema["$defs"].items():
        if spec.get("type") == "object":
            lines += _object(name, spec)
    lines += _profiles()
    lines += _rules()
    return "\n".join(lines).rstrip() + "\n"


def write() -> None:
    REFERENCE_PATH.write_text(render(), encoding="utf-8")


def is_current() -> bool:
    return REFERENCE_PATH.exists() and REFERENCE_PATH.read_text(encoding="utf-8") == render()
