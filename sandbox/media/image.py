"""Images: the background and prompt card (also the still behind every video frame), fonts and text
wrapping, :func:`render_image`, and :func:`zip_images` for a batch of images in one archive."""

from __future__ import annotations

import colorsys
import functools
import io
import random
import zipfile
from pathlib import PurePosixPath

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from sandbox.media._common import _rng
from sandbox.media.sizes import _check_size

# --------------------------------------------------------------------------
# Drawing helpers
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(6, int(size)))


def _text_width(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str) -> float:
    return font.getlength(text)


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, max_width: float) -> list[str]:
    """Greedy word wrap; words longer than a line are split by characters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        words = paragraph.split()
        line = ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if _text_width(font, candidate) <= max_width:
                line = candidate
                continue
            if line:
                lines.append(line)
                line = ""
            while len(word) > 1 and _text_width(font, word) > max_width:
                # split an over-long word: longest prefix that fits (binary search)
                lo, hi = 1, len(word) - 1
                while lo < hi:
                    mid = (lo + hi + 1) // 2
                    if _text_width(font, word[:mid]) <= max_width:
                        lo = mid
                    else:
                        hi = mid - 1
                lines.append(word[:lo])
                word = word[lo:]
            line = word
        if line:
            lines.append(line)
    return lines or [""]


def _fit_text(
    text: str, max_width: float, max_height: float, start_size: int, min_size: int = 10
) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, list[str], int]:
    """Largest font (from start_size down to min_size) whose wrapped text fits;
    text that still does not fit is cut with an ellipsis."""
    min_size = max(8, min(min_size, start_size, int(max_height)))
    size = max(min_size, start_size)
    while True:
        font = _font(size)
        line_h = int(size * 1.25)
        lines = _wrap(text, font, max_width)
        if len(lines) * line_h <= max_height or size <= min_size:
            break
        size = max(min_size, int(size * 0.85))
    max_lines = max(1, int(max_height // line_h))
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and _text_width(font, last + "…") > max_width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return font, lines, line_h


def _palette(rng: random.Random) -> list[tuple[int, int, int]]:
    hue = rng.random()
    colours = []
    for dh, s, v in (
        (0.0, 0.65, 0.95),
        (0.08, 0.55, 0.80),
        (0.50, 0.60, 0.55),
        (0.58, 0.70, 0.70),
    ):
        h = (hue + dh + rng.uniform(-0.03, 0.03)) % 1.0
        r, g, b = colorsys.hsv_to_rgb(
            h,
            min(1.0, s + rng.uniform(-0.1, 0.1)),
            min(1.0, v + rng.uniform(-0.1, 0.05)),
        )
        colours.append((int(r * 255), int(g * 255), int(b * 255)))
    rng.shuffle(colours)
    return colours


def _background(prompt: str, seed: int, width: int, height: int) -> Image.Image:
    """Four-corner gradient plus soft translucent shapes, all derived from prompt+seed."""
    rng = _rng("bg", prompt, seed)
    c = _palette(rng)
    corners = Image.new("RGB", (2, 2))
    corners.putdata(c)
    img = corners.resize((width, height), Image.Resampling.BILINEAR).convert("RGBA")

    # Shapes are drawn on a small canvas, blurred, then scaled up: soft "bokeh"
    # look at a cost independent of the output size.
    scale = min(1.0, 256.0 / max(width, height))
    sw, sh = max(1, round(width * scale)), max(1, round(height * scale))
    overlay = Image.new("RGBA", (sw, sh), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for _ in range(rng.randint(5, 9)):
        r, g, b = c[rng.randrange(4)]
        if rng.random() < 0.5:
            r, g, b = (255 - (255 - r) // 3, 255 - (255 - g) // 3, 255 - (255 - b) // 3)
        alpha = rng.randint(40, 110)
        cx, cy = rng.uniform(0, sw), rng.uniform(0, sh)
        rad = rng.uniform(0.08, 0.35) * max(sw, sh)
        if rng.random() < 0.65:
            draw.ellipse((cx - rad, cy - rad, cx + rad, cy + rad), fill=(r, g, b, alpha))
        else:
            draw.rounded_rectangle(
                (cx - rad, cy - rad * 0.6, cx + rad, cy + rad * 0.6),
                radius=rad * 0.25,
                fill=(r, g, b, alpha),
            )
    overlay = overlay.filter(ImageFilter.GaussianBlur(max(1.0, max(sw, sh) / 120)))
    overlay = overlay.resize((width, height), Image.Resampling.BICUBIC)
    img.alpha_composite(overlay)
    return img


_MAX_CARD_CHARS = 400


def _card(
    prompt: str,
    seed: int,
    width: int,
    height: int,
    *,
    footer: str | None,
    reserve_top: int = 0,
    reserve_bottom: int = 0,
) -> Image.Image:
    """Background with the prompt in a translucent panel; returns RGB."""
    img = _background(prompt, seed, width, height)
    short = min(width, height)
    margin = max(4, short // 16)
    box_x0, box_x1 = margin, width - margin
    fsize = max(8, short // 32)
    if footer and height >= 64:
        reserve_bottom = max(reserve_bottom, fsize + 2)
    box_y0, box_y1 = margin + reserve_top, height - margin - reserve_bottom
    if box_y1 - box_y0 < 12:  # far too small for text: background only
        return img.convert("RGB")
    pad = max(3, short // 40)
    text = " ".join(prompt.split()) or "(empty prompt)"
    if len(text) > _MAX_CARD_CHARS:  # nobody reads more on a picture; keeps layout fast
        text = text[: _MAX_CARD_CHARS - 1].rstrip() + "…"
    font, lines, line_h = _fit_text(
        text,
        max_width=box_x1 - box_x0 - 2 * pad,
        max_height=box_y1 - box_y0 - 2 * pad,
        start_size=max(10, short // 11),
        min_size=max(10, short // 30),
    )
    block_w = max(_text_width(font, line) for line in lines)
    block_h = line_h * len(lines)
    cx, cy = width / 2, (box_y0 + box_y1) / 2
    panel = (
        cx - block_w / 2 - pad,
        cy - block_h / 2 - pad,
        cx + block_w / 2 + pad,
        cy + block_h / 2 + pad,
    )
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ldraw = ImageDraw.Draw(layer)
    ldraw.rounded_rectangle(panel, radius=pad * 1.5, fill=(12, 14, 24, 150))
    img.alpha_composite(layer)

    draw = ImageDraw.Draw(img)
    y = cy - block_h / 2 + (line_h - getattr(font, "size", line_h)) / 2
    for line in lines:
        lw = _text_width(font, line)
        draw.text((cx - lw / 2, y), line, font=font, fill=(255, 255, 255, 255))
        y += line_h

    if footer and height >= 64:
        ffont = _font(fsize)
        draw.text(
            (margin // 2 + 1, height - margin // 2 - fsize),
            footer,
            font=ffont,
            fill=(255, 255, 255, 200),
            stroke_width=1,
            stroke_fill=(0, 0, 0, 160),
        )
    return img.convert("RGB")


# --------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------

_IMAGE_SAVE = {"PNG": "PNG", "JPEG": "JPEG", "JPG": "JPEG", "WEBP": "WEBP"}


def render_image(prompt: str, width: int, height: int, *, seed: int = 0, fmt: str = "PNG") -> bytes:
    """A picture of exactly width x height: gradient + soft shapes from hash(prompt, seed),
    with the prompt wrapped and readable in the middle.

    ``fmt``: "PNG" (default), "JPEG"/"JPG" or "WEBP".  Same inputs give the
    same bytes.  Sides must be 16..8192 px.
    """
    save_as = _IMAGE_SAVE.get(fmt.strip().upper())
    if save_as is None:
        raise ValueError(f"unsupported image format: {fmt!r}")
    _check_size(width, height, minimum=16, maximum=8192)
    img = _card(prompt, seed, width, height, footer=f"sandbox · seed {seed} · {width}x{height}")
    buf = io.BytesIO()
    if save_as == "PNG":
        img.save(buf, "PNG", compress_level=1)
    elif save_as == "JPEG":
        img.save(buf, "JPEG", quality=90)
    else:
        img.save(buf, "WEBP", quality=85, method=2)
    return buf.getvalue()


# --------------------------------------------------------------------------
# Zip
# --------------------------------------------------------------------------


def zip_images(images: list[tuple[str, bytes]]) -> bytes:
    """A .zip holding the given (filename, bytes).

    Names are reduced to their base name (no directories, no "..") and made
    unique ("a.png", "a-2.png", ...).  Images are stored uncompressed (they
    are already compressed formats).
    """
    buf = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for index, (name, data) in enumerate(images, 1):
            base = PurePosixPath(str(name).replace("\\", "/")).name
            base = base.strip().lstrip(".") or f"image-{index}"
            stem, dot, ext = base.rpartition(".")
            if not dot:
                stem, ext = base, ""
            candidate, n = base, 1
            while candidate.lower() in used:
                n += 1
                candidate = f"{stem}-{n}.{ext}" if ext else f"{stem}-{n}"
            used.add(candidate.lower())
            info = zipfile.ZipInfo(candidate, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            zf.writestr(info, bytes(data))
    return buf.getvalue()
