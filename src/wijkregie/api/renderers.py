"""camelCase JSON in and out (NL API Design Rules), snake_case inside.

The conversion itself is djangorestframework-camel-case's (drf-spectacular camelizes the schema
with the same rules); here the problem+json media type, a name helper for error paths, and a
way around the conversion for hot paths that build camelCase keys themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from djangorestframework_camel_case.render import CamelCaseJSONRenderer as _CamelCaseRenderer
from djangorestframework_camel_case.util import camelize
from rest_framework.renderers import JSONRenderer

__all__ = ["CamelCaseJSONRenderer", "PreCamelized", "ProblemJSONRenderer", "to_camel"]


class PreCamelized(dict[str, Any]):
    """Response data whose keys are camelCase already: rendered as is.

    Walking a page of 50 signals to rewrite some 750 keys costs more than building the page;
    the signal list builds its rows with camelCase keys and skips that walk.
    """


class CamelCaseJSONRenderer(_CamelCaseRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, PreCamelized):
            return JSONRenderer.render(self, data, accepted_media_type, renderer_context)
        rendered: bytes = super().render(data, accepted_media_type, renderer_context)
        return rendered


class ProblemJSONRenderer(CamelCaseJSONRenderer):
    media_type = "application/problem+json"
    format = "problem+json"


def to_camel(name: str) -> str:
    return next(iter(camelize({name: None})))
