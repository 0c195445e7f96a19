"""Consultant logos: checked by their content, re-encoded as PNG before any use."""

import base64
import io
import warnings

from PIL import Image, UnidentifiedImageError

MAX_BYTES = 1024 * 1024
MAX_PIXELS = 25_000_000
ALLOWED_FORMATS = {"PNG", "JPEG"}
LOGO_BOX = (600, 240)


class LogoError(ValueError):
    """The uploaded file is not an acceptable logo; the message is French."""


def clean_logo(data: bytes) -> bytes:
    """A re-encoded PNG of an uploaded PNG or JPEG of at most 1 MB, or LogoError."""
    if len(data) > MAX_BYTES:
        raise LogoError("Le logo ne doit pas dépasser 1 Mo.")
    try:
        with warnings.catch_warnings():
            # Pillow warns, then refuses, past its own pixel limit: both mean "too big" here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _reencode(data)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise LogoError("Cette image est trop grande (25 millions de pixels au plus).") from None


def _reencode(data: bytes) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise LogoError("Le logo doit être une image PNG ou JPEG.")
            if probe.width * probe.height > MAX_PIXELS:
                raise LogoError("Cette image est trop grande (25 millions de pixels au plus).")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = image.convert("RGBA")
            image.thumbnail(LOGO_BOX)
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
            return out.getvalue()
    except LogoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise LogoError("Ce fichier n’est pas une image PNG ou JPEG valide.") from None


def logo_data_uri(png: bytes | None) -> str | None:
    return None if not png else "data:image/png;base64," + base64.b64encode(png).decode("ascii")
