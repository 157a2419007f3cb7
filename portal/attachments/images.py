"""Images made safe before they are kept: decoded and written again with Pillow, so no metadata
survives (EXIF, GPS, comments, ICC profiles other than what the pixels need), the orientation a
camera recorded is applied to the pixels, and a decompression bomb is refused. An animated GIF
keeps its first frame only (said in the docs). A thumbnail of at most 480 px is made beside it."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from portal.errors import UnsupportedMediaType, ValidationFailed

THUMBNAIL = (480, 480)
FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP", "image/gif": "GIF"}


@dataclass(frozen=True)
class Cleaned:
    content: bytes
    width: int
    height: int
    thumbnail: bytes


def clean(content: bytes | bytearray, content_type: str, *, max_pixels: int) -> Cleaned:
    fmt = FORMATS[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[fmt]) as opened:
                if opened.width * opened.height > max_pixels:
                    raise _too_many_pixels(max_pixels)
                opened.seek(0)  # an animation keeps its first frame
                image = ImageOps.exif_transpose(opened)  # applies and drops the orientation tag
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnsupportedMediaType(f"the image cannot be read: {exc}"[:300]) from None
    image = _without_metadata(image, fmt)
    return Cleaned(_save(image, fmt), image.width, image.height, _thumbnail(image))


def _too_many_pixels(max_pixels: int) -> ValidationFailed:
    message = f"the image is larger than {max_pixels // 1_000_000} megapixels"
    return ValidationFailed([{"field": "file", "message": message, "type": "too_many_pixels"}])


def _without_metadata(image: Image.Image, fmt: str) -> Image.Image:
    """The pixels alone, in a mode the format can write."""
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif fmt == "GIF" and image.mode not in ("P", "L"):
        image = image.convert("P")
    bare = Image.new(image.mode, image.size)
    bare.paste(image)
    if image.mode == "P" and (palette := image.getpalette()) is not None:
        bare.putpalette(palette)
        if "transparency" in image.info:
            bare.info["transparency"] = image.info["transparency"]
    return bare


def _save(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    options: dict[str, dict[str, Any]] = {"JPEG": {"quality": 88, "optimize": True}, "WEBP": {"quality": 85}}
    image.save(out, fmt, **options.get(fmt, {}))
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    small = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    small.thumbnail(THUMBNAIL)
    out = io.BytesIO()
    small.save(out, "WEBP", quality=80)
    return out.getvalue()
