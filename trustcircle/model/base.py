"""Base of every model class (unknown fields are errors, objects are immutable) and the field
types shared by the model: each one bounded, so no value of realms/ is unlimited."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, HttpUrl, WithJsonSchema
from pydantic_core import PydanticCustomError

from trustcircle.model.urls import MAX_URL, URL_PATTERN, redirect_uri_problem, url_problem

MAX_NAME = 200
MAX_TOKEN = 255
MAX_PERSON = 254  # the longest e-mail address (RFC 5321 path)
PERSON_PATTERN = r"^[A-Za-z0-9._%+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$"
Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,40}$", description="stable lower-case identifier")]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
Token = Annotated[str, Field(min_length=1, max_length=MAX_TOKEN, pattern=r"^[\x21-\x7e]+$")]
# Checked by rule TC306 rather than here, so that four-eyes (TC302) still compares a badly written
# identifier with the others in the same run; editors get the pattern from the JSON Schema.
Person = Annotated[str, Field(min_length=3, max_length=MAX_PERSON, json_schema_extra={"pattern": PERSON_PATTERN},
                              description="a person's e-mail address, e.g. caf33.admin@caf.example")]


def _plain_url(value: object) -> object:
    problem = url_problem(value) if isinstance(value, str) else None
    if problem:
        raise PydanticCustomError("url_not_allowed", "{problem}", {"problem": problem})
    return value


HttpsUrl = Annotated[HttpUrl, BeforeValidator(_plain_url),
                     WithJsonSchema({"type": "string", "format": "uri", "maxLength": MAX_URL, "pattern": URL_PATTERN})]


def _redirect_uri(value: object) -> object:
    problem = (url_problem(value) or redirect_uri_problem(value)) if isinstance(value, str) else None
    if problem:
        raise PydanticCustomError("url_not_allowed", "{problem}", {"problem": problem})
    return value


# where an authorization server sends the agent back (OpenID Connect redirect and post-logout URIs)
RedirectUri = Annotated[HttpUrl, BeforeValidator(_redirect_uri),
                        WithJsonSchema({"type": "string", "format": "uri", "maxLength": MAX_URL,
                                        "pattern": URL_PATTERN})]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
