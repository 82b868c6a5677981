"""Uploaded photos: check what they really are and re-encode them without metadata.

The browser's content type and the file name are not trusted: Pillow reads the bytes. The
image is decoded and written again, so EXIF (a phone's GPS position, camera serial number),
XMP, IPTC and comments are gone; the EXIF orientation is applied first so the photo stays
upright. Very large pixel counts are refused before decoding (decompression bombs).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000
MAX_SIDE = 4000  # larger photos are scaled down: enough to see a problem, smaller to keep
ALLOWED = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def clean_image(stream: IO[bytes], size: int | None = None) -> CleanImage:
    """Validate and re-encode an uploaded photo. Raises ValidationError (code per problem)."""
    limit = int(getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
    if size is not None and size > limit:
        raise ValidationError(
            _("De foto is te groot: maximaal %(mb)d MB."),
            code="too_large",
            params={"mb": limit // (1024 * 1024)},
        )
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise ValidationError(
            _("De foto is te groot: maximaal %(mb)d MB."),
            code="too_large",
            params={"mb": limit // (1024 * 1024)},
        )
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format or ""
            if kind not in ALLOWED:
                raise ValidationError(
                    _("Alleen foto's in JPEG- of PNG-formaat zijn toegestaan."), code="type"
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("De foto heeft te veel beeldpunten."), code="too_large")
            probe.load()
            image = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValidationError(
            _("Dit bestand is geen foto in JPEG- of PNG-formaat."), code="type"
        ) from exc
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    content_type, extension = ALLOWED[kind]
    out = io.BytesIO()
    if kind == "JPEG":
        if image.mode not in {"RGB", "L"}:
            image = image.convert("RGB")
        # No exif=, icc_profile= or comment=: nothing of the original metadata is written.
        image.save(out, format="JPEG", quality=85, optimize=True)
    else:
        if image.mode not in {"RGB", "RGBA", "L", "LA", "P"}:
            image = image.convert("RGBA")
        image.save(out, format="PNG", optimize=True)
    return CleanImage(out.getvalue(), content_type, extension, image.width, image.height)
