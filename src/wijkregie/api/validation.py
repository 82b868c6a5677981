"""Collect every validation error of a request at once: serializer and domain rules together."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField, get_error_detail


def parse_leniently(serializer: serializers.Serializer) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate without raising: (values of every field that parsed, errors per field).

    DRF drops all values as soon as one field fails; to report domain errors for the other
    fields in the same response each field is validated on its own after a failure.
    """
    if serializer.is_valid():
        return dict(serializer.validated_data), {}
    errors: dict[str, Any] = dict(serializer.errors)
    data = serializer.initial_data
    values: dict[str, Any] = {}
    if not isinstance(data, Mapping):
        return values, errors
    for name, field in serializer.fields.items():
        if field.read_only or name in errors:
            continue
        try:
            values[name] = field.run_validation(field.get_value(data))
        except (ValidationError, DjangoValidationError, SkipField):
            continue
    return values, errors


def merge_errors(
    serializer_errors: Mapping[str, Any],
    domain_errors: Mapping[str, DjangoValidationError],
    order: Iterable[str] = (),
) -> dict[str, Any]:
    """One error dict for DRF's ValidationError, fields in `order` first (stable output)."""
    merged: dict[str, Any] = {}
    for name, detail in serializer_errors.items():
        merged[name] = list(detail) if isinstance(detail, list) else detail
    for name, error in domain_errors.items():
        if name in serializer_errors:
            continue  # the field could not be read; its serializer error says why
        detail = get_error_detail(error)
        merged.setdefault(name, [])
        if isinstance(merged[name], list):
            merged[name].extend(detail if isinstance(detail, list) else [detail])
    ranked = {name: index for index, name in enumerate(order)}
    return dict(sorted(merged.items(), key=lambda item: ranked.get(item[0], len(ranked))))
