"""Base of every model class: unknown fields are errors, objects are immutable."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,40}$", description="stable lower-case identifier")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
