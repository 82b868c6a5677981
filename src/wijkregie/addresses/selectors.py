"""Lookups in the national address register.

The register is open data (BAG) without personal data and without a tenant: every
municipality reads the same rows, so these selectors take no viewer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from wijkregie.addresses.models import Address
from wijkregie.lib import dutch

AddressKey = tuple[str, int, str, str]  # postcode "1234AB", huisnummer, letter, toevoeging
_CHUNK = 500


@dataclass(frozen=True)
class AddressPoint:
    x: float
    y: float
    lat: float
    lon: float
    verblijfsobject_id: str
    nummeraanduiding_id: str


def address_key(
    postcode: str, huisnummer: int | None, huisletter: str = "", toevoeging: str = ""
) -> AddressKey | None:
    """The register's key for an address as typed; None when it cannot be one."""
    normalised = dutch.normalise_postcode(postcode or "")
    if normalised is None or huisnummer is None:
        return None
    return (
        normalised,
        int(huisnummer),
        (huisletter or "").strip().upper(),
        (toevoeging or "").strip().upper(),
    )


def lookup_address(
    postcode: str, huisnummer: int | None, huisletter: str = "", toevoeging: str = ""
) -> AddressPoint | None:
    """The point of one address. Postcode case and spaces do not matter; an empty letter or
    toevoeging matches only the bare number."""
    key = address_key(postcode, huisnummer, huisletter, toevoeging)
    if key is None:
        return None
    return lookup_addresses([key]).get(key)


def lookup_addresses(keys: Iterable[AddressKey]) -> dict[AddressKey, AddressPoint]:
    """Batch lookup for imports: one query per 500 postcodes."""
    wanted = set(keys)
    found: dict[AddressKey, AddressPoint] = {}
    postcodes = sorted({k[0] for k in wanted})
    for start in range(0, len(postcodes), _CHUNK):
        rows = Address.objects.filter(postcode__in=postcodes[start : start + _CHUNK]).values_list(
            "postcode",
            "huisnummer",
            "huisletter",
            "toevoeging",
            "rd_x",
            "rd_y",
            "lat",
            "lon",
            "verblijfsobject_id",
            "nummeraanduiding_id",
        )
        for postcode, number, letter, addition, x, y, lat, lon, vbo, num in rows:
            key = (postcode, number, letter, addition)
            if key in wanted:
                found[key] = AddressPoint(
                    x=x,
                    y=y,
                    lat=lat,
                    lon=lon,
                    verblijfsobject_id=vbo,
                    nummeraanduiding_id=num,
                )
    return found
