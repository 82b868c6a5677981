"""camelCase JSON in and out (NL API Design Rules), snake_case inside.

The conversion itself is djangorestframework-camel-case's (drf-spectacular camelizes the schema
with the same rules); here only the problem+json media type and a name helper for error paths.
"""

from __future__ import annotations

from djangorestframework_camel_case.render import CamelCaseJSONRenderer
from djangorestframework_camel_case.util import camelize

__all__ = ["CamelCaseJSONRenderer", "ProblemJSONRenderer", "to_camel"]


class ProblemJSONRenderer(CamelCaseJSONRenderer):
    media_type = "application/problem+json"
    format = "problem+json"


def to_camel(name: str) -> str:
    return next(iter(camelize({name: None})))
