"""JSON in: camelCase keys become snake_case; NaN/Infinity and broken JSON are a 400 problem."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any, NoReturn

from django.conf import settings
from djangorestframework_camel_case.parser import CamelCaseJSONParser
from djangorestframework_camel_case.util import underscoreize
from rest_framework.exceptions import ParseError

INVALID_JSON = "De inhoud van het verzoek is geen geldige JSON."


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


class StrictCamelCaseJSONParser(CamelCaseJSONParser):
    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(stream.read().decode(encoding), parse_constant=_reject_constant)
        except ValueError as exc:  # includes UnicodeDecodeError and JSONDecodeError
            raise ParseError(INVALID_JSON) from exc
        return underscoreize(data, **self.json_underscoreize)
