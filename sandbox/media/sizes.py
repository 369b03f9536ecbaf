"""Sizes: provider-style aspect ratios and resolutions turned into (width, height), and the size check
the renderers share."""

from __future__ import annotations

import re

_NAMED_RATIOS: dict[str, tuple[int, int]] = {
    "square": (1, 1),
    "square_hd": (1, 1),
    "landscape": (16, 9),
    "landscape_16_9": (16, 9),
    "landscape_4_3": (4, 3),
    "portrait": (9, 16),
    "portrait_16_9": (9, 16),
    "portrait_4_3": (3, 4),
    "widescreen": (16, 9),
    "ultrawide": (21, 9),
    "cinema": (21, 9),
}
# Values that mean "whatever you like" -> square.
_AUTO_RATIOS = {
    "",
    "auto",
    "default",
    "none",
    "match_input_image",
    "match_input",
    "original",
}

# Resolution strings.  "<N>p" and the HD/UHD names give the SHORT side (720p at
# 16:9 is 1280x720, at 9:16 it is 720x1280).  "<N>K" follows the image-provider
# convention (1K/2K/4K = long side 1024/2048/4096).
_NAMED_SHORT_SIDES = {
    "sd": 480,
    "hd": 720,
    "fhd": 1080,
    "fullhd": 1080,
    "qhd": 1440,
    "uhd": 2160,
}

_RATIO_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[:x×/_]\s*(\d+(?:\.\d+)?)\s*$", re.IGNORECASE)
_P_RE = re.compile(r"^\s*(\d{2,4})\s*p\s*$", re.IGNORECASE)
_K_RE = re.compile(r"^\s*(\d(?:\.\d)?)\s*k\s*$", re.IGNORECASE)
_WXH_RE = re.compile(r"^\s*(\d{1,5})\s*[x×*]\s*(\d{1,5})\s*$", re.IGNORECASE)
_INT_RE = re.compile(r"^\s*(\d{2,5})\s*$")


def _even(n: float) -> int:
    """Nearest even integer, at least 2."""
    return max(2, round(n / 2.0) * 2)


def _parse_ratio(aspect_ratio: str | None) -> tuple[float, float]:
    if aspect_ratio is None:
        return (1.0, 1.0)
    key = aspect_ratio.strip().lower()
    if key in _AUTO_RATIOS:
        return (1.0, 1.0)
    compact = key.replace(" ", "").replace("-", "_")
    if compact in _NAMED_RATIOS:
        rw, rh = _NAMED_RATIOS[compact]
        return (float(rw), float(rh))
    m = _RATIO_RE.match(key)
    if m:
        rw, rh = float(m.group(1)), float(m.group(2))
        if rw > 0 and rh > 0 and 1 / 20 <= rw / rh <= 20:
            return (rw, rh)
    raise ValueError(f"unrecognised aspect ratio: {aspect_ratio!r}")


def aspect_size(
    aspect_ratio: str | None,
    resolution: str | None = None,
    *,
    base: int = 1024,
) -> tuple[int, int]:
    """Turn a provider-style aspect ratio (+ optional resolution) into (width, height).

    ``aspect_ratio``: "16:9", "9:16", "1:1", "4:3", "3:2", "21:9", "16x9",
    named values ("square", "landscape", "portrait_4_3", ...) or
    "auto"/"match_input_image"/None (-> square).

    ``resolution``: None -> long side is ``base``; "480p"/"720p"/"1080p"/"1440p"/
    "2160p" and "SD"/"HD"/"FHD"/"QHD"/"UHD" set the *short* side; "1K"/"2K"/"4K"
    set the long side to 1024/2048/4096; a bare number ("768") sets the long
    side; an explicit "WIDTHxHEIGHT" is returned as is (made even).

    Both dimensions are always even (video encoders need it).  Raises
    ValueError for values it cannot understand.
    """
    rw, rh = _parse_ratio(aspect_ratio)
    long_side: float | None = None
    short_side: float | None = None

    if resolution is not None and resolution.strip().lower() not in _AUTO_RATIOS:
        res = resolution.strip().lower()
        if m := _WXH_RE.match(res):
            w, h = int(m.group(1)), int(m.group(2))
            if w <= 0 or h <= 0:
                raise ValueError(f"unrecognised resolution: {resolution!r}")
            return (_even(w), _even(h))
        if m := _P_RE.match(res):
            short_side = float(m.group(1))
        elif res.replace(" ", "").replace("-", "") in _NAMED_SHORT_SIDES:
            short_side = float(_NAMED_SHORT_SIDES[res.replace(" ", "").replace("-", "")])
        elif m := _K_RE.match(res):
            long_side = float(m.group(1)) * 1024
        elif m := _INT_RE.match(res):
            long_side = float(m.group(1))
        else:
            raise ValueError(f"unrecognised resolution: {resolution!r}")
    else:
        if base < 2:
            raise ValueError("base must be >= 2")
        long_side = float(base)

    big, small = max(rw, rh), min(rw, rh)
    if short_side is not None:
        long_side = short_side * big / small
    else:
        assert long_side is not None
        short_side = long_side * small / big
    if rw >= rh:
        return (_even(long_side), _even(short_side))
    return (_even(short_side), _even(long_side))


def _check_size(width: int, height: int, *, minimum: int, maximum: int) -> None:
    if not (minimum <= width <= maximum and minimum <= height <= maximum):
        raise ValueError(f"size {width}x{height} outside {minimum}..{maximum} per side")
