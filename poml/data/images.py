"""``<img>``: read an image (file, base64, or an allowed URL), resize and re-encode it like the reference.

The reference passes every image through sharp: it reads the format, scales by
``min(resize, maxWidth / width, maxHeight / height)`` (only the factors that
are given; the result may enlarge), rounds the new size half up, and encodes
again in the source format, or in ``type`` when given (``"jpeg"`` or
``"image/jpeg"``). The MIME type is ``image/<format>`` with sharp's format
names (``jpeg``, ``png``, ``webp``, ``gif``, ``tiff``...).

Re-encoding means the bytes differ from the reference's; pixels match where
no resize happens (lossless formats), and PNGs carry a 72 dpi ``pHYs`` chunk
as sharp's do. Needs pillow (``pip install "poml-native[data]"``).
"""

from __future__ import annotations

import base64 as _b64
import hashlib
import io
import math
import os
from typing import TYPE_CHECKING, Any, Optional

from .._errors import PomlError, PomlLimitError
from .._limits import MAX_IMAGE_PIXELS
from ._memo import ContentMemo
from ._optional import require
from ._base64 import decode_base64

if TYPE_CHECKING:
    from .._files import FileAccess

__all__ = ["process_image", "image_size", "load_image_bytes", "load_image", "resize_factor", "output_size"]

# Pillow format name -> sharp format name (what the reference puts after "image/").
_SHARP_NAMES = {
    "JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "TIFF": "tiff",
    "BMP": "bmp", "AVIF": "heif", "HEIF": "heif", "JPEG2000": "jp2", "ICO": "ico", "PPM": "ppm",
}
# sharp/MIME output names -> Pillow save format.
_PIL_FORMATS = {
    "jpeg": "JPEG", "jpg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF", "tiff": "TIFF",
    "tif": "TIFF", "bmp": "BMP", "avif": "AVIF", "heif": "HEIF", "jp2": "JPEG2000", "ico": "ICO",
}


def _pil() -> Any:
    require("PIL", "Reading images", package="pillow")
    from PIL import Image

    return Image


def _js_round(x: float) -> int:
    return int(math.floor(x + 0.5))


def _given(v: Any) -> bool:
    if v is None or v is False:
        return False
    if isinstance(v, (int, float)):
        return v != 0 and not math.isnan(v)
    return bool(v)


def resize_factor(width: int, height: int, max_width: Any = None, max_height: Any = None,
                  resize: Any = None) -> Optional[float]:
    """The scale factor the reference applies, or None when no size option is given."""
    factors = []
    if _given(resize):
        factors.append(float(resize))
    if _given(max_width):
        factors.append(float(max_width) / width)
    if _given(max_height):
        factors.append(float(max_height) / height)
    if not factors:
        return None
    return min(factors)


def output_size(width: int, height: int, max_width: Any = None, max_height: Any = None,
                resize: Any = None) -> tuple[int, int]:
    """The output size in pixels (the input size when nothing is given)."""
    f = resize_factor(width or 1, height or 1, max_width, max_height, resize)
    if f is None:
        return width, height
    return _js_round((width or 1) * f), _js_round((height or 1) * f)


def process_image(data: bytes, type: Optional[str] = None, max_width: Any = None,  # noqa: A002
                  max_height: Any = None, resize: Any = None, *, memo: Optional[ContentMemo] = None) -> tuple[str, str]:
    """``(base64, mime)`` of an image after the reference's resize and re-encode.

    Re-encoding costs tens of milliseconds, so with a ``memo`` (the Environment's)
    results are kept by the image's digest and the options: a re-render reuses them.
    """
    make = lambda: _process_image(data, type, max_width, max_height, resize)  # noqa: E731
    if memo is None:
        return make()
    try:
        key = ("image", hashlib.blake2b(data, digest_size=16).digest(), type, max_width, max_height, resize)
        hash(key)
    except TypeError:  # an option that is not plain data: not worth a key
        return make()
    return memo.get_or_make(key, make)


def _process_image(data: bytes, type: Optional[str], max_width: Any,  # noqa: A002
                   max_height: Any, resize: Any) -> tuple[str, str]:
    Image = _pil()
    try:
        img = Image.open(io.BytesIO(data))  # reads the header only: the size is known before decoding
    except Exception as exc:
        raise PomlError(f"Cannot read the image: {exc}") from None
    if img.size[0] * img.size[1] > MAX_IMAGE_PIXELS:
        raise PomlLimitError(f"The image is {img.size[0]}x{img.size[1]} pixels, more than the limit of "
                             f"{MAX_IMAGE_PIXELS}; scale it down before adding it to the prompt.")
    try:
        img.load()
    except Exception as exc:
        raise PomlError(f"Cannot read the image: {exc}") from None
    src_format = _SHARP_NAMES.get((img.format or "").upper(), (img.format or "").lower())
    if not src_format:
        raise PomlError("Cannot determine image format")
    w, h = img.size
    size = output_size(w, h, max_width, max_height, resize)
    if size != (w, h):
        if size[0] <= 0 or size[1] <= 0:
            raise PomlError(f"Cannot resize the image to {size[0]}x{size[1]}.")
        if size[0] * size[1] > MAX_IMAGE_PIXELS:
            raise PomlLimitError(f"Resizing the image to {size[0]}x{size[1]} pixels would pass the limit of "
                                 f"{MAX_IMAGE_PIXELS}; use a smaller resize, maxWidth or maxHeight.")
        if img.mode in ("P", "1"):
            img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        img = img.resize(size, Image.Resampling.LANCZOS)
    out_format = src_format
    if type:
        out_format = type.split("/", 1)[1] if type.startswith("image/") else type
    pil_format = _PIL_FORMATS.get(out_format.lower())
    if pil_format is None:
        raise PomlError(f"Unsupported image type: {out_format}")
    buf = io.BytesIO()
    save_kwargs: dict[str, Any] = {}
    if pil_format == "JPEG":
        if img.mode not in ("RGB", "L", "CMYK"):
            img = img.convert("RGB")
        save_kwargs.update(quality=80)
    elif pil_format == "PNG":
        # sharp writes palette and bilevel images as full colour, with a 72 dpi pHYs chunk.
        if img.mode in ("P", "1"):
            img = img.convert("RGBA" if ("transparency" in img.info or img.mode == "PA") else "RGB")
        save_kwargs.update(dpi=(72, 72))
    elif pil_format == "WEBP":
        save_kwargs.update(quality=80)
    elif pil_format == "BMP" and img.mode not in ("RGB", "L", "P", "1"):
        img = img.convert("RGB")
    try:
        img.save(buf, format=pil_format, **save_kwargs)
    except Exception as exc:
        raise PomlError(f"Cannot encode the image as {out_format}: {exc}") from None
    out = buf.getvalue()
    if pil_format == "JPEG":
        out = _strip_jfif(out)
    return _b64.b64encode(out).decode("ascii"), "image/" + out_format


def _strip_jfif(data: bytes) -> bytes:
    """Drop the JFIF APP0 segment Pillow writes (sharp's JPEGs start with the tables)."""
    if data[:4] == b"\xff\xd8\xff\xe0" and len(data) > 6:
        seg_len = int.from_bytes(data[4:6], "big")
        if data[6:11] == b"JFIF\x00":
            return data[:2] + data[4 + seg_len:]
    return data


def image_size(base64: str) -> tuple[int, int]:
    """Width and height of a base64-encoded image."""
    Image = _pil()
    try:
        with Image.open(io.BytesIO(decode_base64(base64, "image"))) as img:
            return img.size
    except PomlError:
        raise
    except Exception as exc:
        raise PomlError(f"Cannot determine image dimensions: {exc}") from None


def load_image_bytes(src: Optional[str] = None, base64: Optional[str] = None, *, base_dir: Any = None,
                     access: "Optional[FileAccess]" = None) -> bytes:
    """The raw bytes of an image from a path, an allowed URL, or base64 text."""
    if src:
        if access is None:
            from .._files import FileAccess

            access = FileAccess([base_dir if base_dir is not None else os.getcwd()])
        return access.read_source_bytes(src, base_dir)
    if base64:
        return decode_base64(base64, "image")
    raise PomlError("src or base64 is required")


def load_image(src: Optional[str] = None, base64: Optional[str] = None, type: Optional[str] = None,  # noqa: A002
               max_width: Any = None, max_height: Any = None, resize: Any = None, *, base_dir: Any = None,
               access: "Optional[FileAccess]" = None) -> tuple[str, str]:
    """``(base64, mime)`` for an ``<img>``: read, then :func:`process_image`."""
    if src and base64:
        raise PomlError("Cannot specify both `src` and `base64`.")
    data = load_image_bytes(src, base64, base_dir=base_dir, access=access)
    return process_image(data, type, max_width, max_height, resize, memo=access.memo if access is not None else None)
