"""Real, locally made media for the sandbox provider emulator.

Everything here is a pure function (no Django, no network, no ffmpeg binary):
images come from Pillow, videos and their audio tracks from PyAV's bundled
FFmpeg libraries, WAV files from the stdlib ``wave`` module.

The same :func:`probe` is meant to be used by the studio to check downloaded
outputs, so it is strict: anything that is not a decodable image, video or
audio file in a well-known format raises :class:`ValueError`.

Speed notes
-----------
Rendering cost scales with pixel count and frame count.  A 5 s, 320x180,
12 fps MP4 encodes in a few tens of milliseconds; a 1080p clip is ~35x more
pixels.  Callers that only need *a* real file (tests, the sandbox's default
mode) should pass a small ``base`` to :func:`aspect_size` (e.g. 320 or 512) and
a low ``fps``.
"""

from __future__ import annotations

import colorsys
import functools
import hashlib
import io
import math
import random
import re
import sys
import wave
import zipfile
from array import array
from fractions import Fraction
from pathlib import PurePosixPath

import av
from PIL import Image, ImageDraw, ImageFilter, ImageFont

__all__ = [
    "aspect_size",
    "probe",
    "render_audio",
    "render_image",
    "render_text",
    "render_video",
    "zip_images",
]

# --------------------------------------------------------------------------
# Sizes
# --------------------------------------------------------------------------

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


# --------------------------------------------------------------------------
# Drawing helpers
# --------------------------------------------------------------------------


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


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


def _check_size(width: int, height: int, *, minimum: int, maximum: int) -> None:
    if not (minimum <= width <= maximum and minimum <= height <= maximum):
        raise ValueError(f"size {width}x{height} outside {minimum}..{maximum} per side")


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
# Audio
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _tone_loop(sample_rate: int, tone_hz: float) -> array:
    """Exactly one second of 16-bit mono audio that loops seamlessly.

    A soft just-intonation major triad (4:5:6) on ``tone_hz`` with a gentle
    "ping" envelope twice a second.  Frequencies are rounded to whole Hz so a
    one-second buffer is an exact period (no clicks when tiled).
    """
    freqs = [round(tone_hz), round(tone_hz * 1.25), round(tone_hz * 1.5)]
    nyquist = sample_rate / 2
    freqs = [f for f in freqs if 0 < f < nyquist] or [max(1, round(min(tone_hz, nyquist / 2)))]
    weights = [1.0, 0.6, 0.45][: len(freqs)]
    total = sum(weights)
    two_pi = 2 * math.pi
    beat = sample_rate // 2  # two pings per second; one second = two whole beats
    attack = max(1, sample_rate // 200)  # 5 ms
    sr = float(sample_rate)
    env = [
        (i / attack if i < attack else 1.0) * (0.30 + 0.70 * math.exp(-5.0 * (i - attack) / sr if i >= attack else 0.0))
        for i in range(beat)
    ]
    out = array("h", bytes(2 * sample_rate))
    amp = 0.5 * 32767 / total
    for i in range(sample_rate):
        t = i / sr
        s = 0.0
        for f, w in zip(freqs, weights, strict=False):
            s += w * math.sin(two_pi * f * t)
        e = env[i % beat] if i < 2 * beat else env[-1]
        out[i] = int(amp * e * s)
    return out


def _tone_samples(n: int, sample_rate: int, tone_hz: float) -> array:
    """n samples of the looping tone with 10 ms fade in/out."""
    loop = _tone_loop(sample_rate, float(tone_hz))
    reps = n // sample_rate + 1
    samples = (loop * reps)[:n]
    fade = min(n // 2, max(1, sample_rate // 100))
    for i in range(fade):
        g = i / fade
        samples[i] = int(samples[i] * g)
        samples[n - 1 - i] = int(samples[n - 1 - i] * g)
    return samples


def render_audio(seconds: float, *, sample_rate: int = 22050, tone_hz: float = 440.0) -> bytes:
    """A mono 16-bit PCM WAV of exactly round(seconds * sample_rate) frames:
    a soft major chord on ``tone_hz`` pinging twice a second, faded in/out."""
    if not (seconds > 0 and math.isfinite(seconds)):
        raise ValueError("seconds must be a positive number")
    if not (8000 <= sample_rate <= 192000):
        raise ValueError("sample_rate must be 8000..192000")
    if not (20.0 <= tone_hz <= 8000.0):
        raise ValueError("tone_hz must be 20..8000")
    n = max(1, round(seconds * sample_rate))
    samples = _tone_samples(n, sample_rate, tone_hz)
    if sys.byteorder != "little":  # WAV/PCM s16 are little-endian
        samples.byteswap()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(samples.tobytes())
    return buf.getvalue()


# --------------------------------------------------------------------------
# Video
# --------------------------------------------------------------------------

_AUDIO_RATE = 48000  # valid for both AAC and Opus


def _has_encoder(name: str) -> bool:
    try:
        av.codec.Codec(name, "w")
    except Exception:
        return False
    return True


@functools.lru_cache(maxsize=8)
def _first_encoder(*names: str) -> str:
    for name in names:
        if _has_encoder(name):
            return name
    raise RuntimeError(f"none of the encoders {names} is available in PyAV's FFmpeg")


def _fmt_time(t: float) -> str:
    m, s = divmod(t, 60)
    return f"{int(m):02d}:{s:05.2f}"


def render_video(
    prompt: str,
    seconds: float,
    width: int,
    height: int,
    *,
    fps: int = 12,
    container: str = "mp4",
    with_audio: bool = False,
) -> bytes:
    """A real video clip of round(seconds * fps) frames (duration = frames / fps).

    ``container``: "mp4" -> H.264 (libx264, ultrafast; falls back to mpeg4),
    yuv420p, moov atom at the front (+faststart) so browsers can stream it;
    "webm" -> VP8 (libvpx realtime; VP9 if VP8 is missing).
    ``with_audio`` adds a mono 48 kHz tone track: AAC in MP4, Opus in WebM.

    Frames show the prompt (static card), a ball that sweeps left to right
    over the clip while bobbing, a progress bar and a time / frame counter.  Width and height are
    rounded down to even numbers (4:2:0 chroma needs it) and must be 16..4096.

    Cost is roughly proportional to width*height*frames: 5 s at 320x180/12 fps
    takes a few tens of ms, so keep sizes small unless a test needs big ones.
    """
    kind = container.strip().lower()
    if kind not in ("mp4", "webm"):
        raise ValueError(f"unsupported container: {container!r} (use 'mp4' or 'webm')")
    if not (seconds > 0 and math.isfinite(seconds)):
        raise ValueError("seconds must be a positive number")
    if not (1 <= fps <= 120):
        raise ValueError("fps must be 1..120")
    width, height = width - width % 2, height - height % 2
    _check_size(width, height, minimum=16, maximum=4096)
    n_frames = max(1, round(seconds * fps))
    if n_frames > 120 * 60 * 10:
        raise ValueError("video too long")

    short = min(width, height)
    hud = max(8, short // 14)  # counter text size
    bar_h = max(2, short // 45)
    ball_r = max(3, short // 16)
    reserve_bottom = 2 * ball_r + bar_h + short // 30
    reserve_top = hud + short // 40
    base = _card(
        prompt,
        0,
        width,
        height,
        footer=None,
        reserve_top=reserve_top,
        reserve_bottom=reserve_bottom,
    )
    hud_font = _font(hud)
    margin = max(4, short // 16)
    ball_y0 = height - bar_h - short // 60 - 2 * ball_r - 2

    buf = io.BytesIO()
    out = av.open(buf, "w", format=kind)
    try:
        if kind == "mp4":
            vcodec = _first_encoder("libx264", "h264", "mpeg4")
            vstream = out.add_stream(vcodec, rate=fps)
            if vcodec == "libx264":
                vstream.options = {"preset": "ultrafast", "crf": "26"}
            else:
                vstream.bit_rate = max(200_000, width * height * fps // 4)
        else:
            vcodec = _first_encoder("libvpx", "libvpx-vp9")
            vstream = out.add_stream(vcodec, rate=fps)
            vstream.bit_rate = max(200_000, width * height * fps // 6)
            vstream.options = {
                "deadline": "realtime",
                "cpu-used": "8",
                "lag-in-frames": "0",
            }
        vstream.width, vstream.height = width, height
        vstream.pix_fmt = "yuv420p"
        vstream.codec_context.time_base = Fraction(1, fps)
        vstream.codec_context.gop_size = max(1, fps * 2)

        astream = None
        if with_audio:
            acodec = "aac" if kind == "mp4" else _first_encoder("libopus", "opus")
            astream = out.add_stream(acodec, rate=_AUDIO_RATE, layout="mono")
            astream.bit_rate = 64_000

        tb = Fraction(1, fps)
        for i in range(n_frames):
            frame_img = base.copy()
            d = ImageDraw.Draw(frame_img)
            progress = (i + 1) / n_frames
            t = i / fps
            # progress bar
            d.rectangle((0, height - bar_h, width, height), fill=(0, 0, 0))
            d.rectangle(
                (0, height - bar_h, round(width * progress), height),
                fill=(255, 210, 64),
            )
            # moving ball: sweeps across the bottom strip and bobs
            phase = 2 * math.pi * (i / max(1, n_frames - 1) if n_frames > 1 else 0.0)
            bx = margin + ball_r + (width - 2 * (margin + ball_r)) * (0.5 - 0.5 * math.cos(phase / 2))
            by = ball_y0 + ball_r + (ball_r * 0.6) * math.sin(phase * 2)
            d.ellipse(
                (bx - ball_r, by - ball_r, bx + ball_r, by + ball_r),
                fill=(255, 255, 255),
                outline=(20, 20, 30),
                width=max(1, ball_r // 4),
            )
            # counter
            label = f"{_fmt_time(t)}  #{i + 1}/{n_frames}"
            d.text(
                (margin // 2 + 1, margin // 3),
                label,
                font=hud_font,
                fill=(255, 255, 255),
                stroke_width=max(1, hud // 10),
                stroke_fill=(0, 0, 0),
            )

            frame = av.VideoFrame.from_image(frame_img)
            frame.pts = i
            frame.time_base = tb
            for packet in vstream.encode(frame):
                out.mux(packet)
        for packet in vstream.encode(None):
            out.mux(packet)

        if astream is not None:
            total = round(n_frames * _AUDIO_RATE / fps)
            pcm = _tone_samples(total, _AUDIO_RATE, 440.0)
            if sys.byteorder != "little":  # WAV/PCM s16 are little-endian
                pcm.byteswap()
            raw = pcm.tobytes()
            chunk = 1024
            atb = Fraction(1, _AUDIO_RATE)
            for start in range(0, total, chunk):
                count = min(chunk, total - start)
                af = av.AudioFrame(format="s16", layout="mono", samples=count)
                af.planes[0].update(raw[2 * start : 2 * (start + count)])
                af.sample_rate = _AUDIO_RATE
                af.pts = start
                af.time_base = atb
                for packet in astream.encode(af):
                    out.mux(packet)
            for packet in astream.encode(None):
                out.mux(packet)
    finally:
        out.close()
    data = buf.getvalue()
    return _mp4_faststart(data) if kind == "mp4" else data


def _mp4_atoms(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int, int]]:
    """(type, offset, header_size, total_size) of the boxes in data[start:end]."""
    atoms = []
    pos = start
    while pos + 8 <= end:
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        header = 8
        if size == 1:
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise ValueError("malformed MP4 box")
        atoms.append((kind, pos, header, size))
        pos += size
    if pos != end:
        raise ValueError("truncated MP4 box header")
    return atoms


def _mp4_faststart(data: bytes) -> bytes:
    """Move the moov box in front of mdat (what ffmpeg's +faststart does, which
    cannot run on an in-memory output), shifting the chunk offsets to match."""
    top = _mp4_atoms(data, 0, len(data))
    kinds = [a[0] for a in top]
    if b"moov" not in kinds or b"mdat" not in kinds:
        return data
    moov_i, mdat_i = kinds.index(b"moov"), kinds.index(b"mdat")
    if moov_i < mdat_i:
        return data
    _, moov_pos, _, moov_size = top[moov_i]
    moov = bytearray(data[moov_pos : moov_pos + moov_size])
    shift = moov_size

    def patch(start: int, end: int) -> None:
        for kind, pos, header, size in _mp4_atoms(moov, start, end):
            body = pos + header
            if kind in (b"trak", b"mdia", b"minf", b"stbl"):
                patch(body, pos + size)
            elif kind in (b"stco", b"co64"):
                count = int.from_bytes(moov[body + 4 : body + 8], "big")
                width = 4 if kind == b"stco" else 8
                for k in range(count):
                    off = body + 8 + k * width
                    value = int.from_bytes(moov[off : off + width], "big") + shift
                    if width == 4 and value >= 1 << 32:
                        raise OverflowError("stco offset overflow")
                    moov[off : off + width] = value.to_bytes(width, "big")

    try:
        patch(8, moov_size)
    except (ValueError, OverflowError):
        return data  # leave the (valid) original alone
    out = bytearray()
    for index, (_kind, pos, _, size) in enumerate(top):
        if index == mdat_i:
            out += moov
        if index != moov_i:
            out += data[pos : pos + size]
    return bytes(out)


# --------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------

_STOPWORDS = frozenset(
    """a an and are as at be but by for from has have how i in into is it its me my of on or our so
    that the their them then there these this those to was we were what when where which who why will
    with you your please write make create give generate show tell about can could would should""".split()  # noqa: SIM905
)


def _keywords(prompt: str, k: int = 3) -> list[str]:
    words = re.findall(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'-]{2,}", prompt)
    seen: dict[str, str] = {}
    for w in words:
        lw = w.lower()
        if lw not in _STOPWORDS and lw not in seen:
            seen[lw] = w
    ranked = sorted(seen.values(), key=lambda w: (-len(w), w.lower()))
    return ranked[:k]


def render_text(prompt: str, model: str) -> str:
    """A deterministic, plausible-looking text answer that quotes the prompt."""
    rng = _rng("text", model, prompt)
    clean = " ".join(prompt.split())
    shown = clean if len(clean) <= 300 else clean[:297].rstrip() + "…"
    keys = _keywords(clean)
    if not keys:
        topic = "your request"
    elif len(keys) == 1:
        topic = f"“{keys[0]}”"
    else:
        topic = ", ".join(f"“{k}”" for k in keys[:-1]) + f" and “{keys[-1]}”"

    openers = [
        f"Here's a response to your prompt about {topic}.",
        f"Sure — let's look at {topic}.",
        f"Great question. Below is a short take on {topic}.",
        f"Thanks for the prompt. Here is what I can say about {topic}.",
    ]
    middles = [
        (
            "The core idea is to start from what is already known, state the goal plainly, and then "
            "work through the details one step at a time so that each part can be checked on its own."
        ),
        (
            "A good approach is to break the problem into smaller pieces, handle the simplest case first, "
            "and only then add the edge cases and refinements that make the result robust."
        ),
        (
            "It helps to be explicit about assumptions: what the inputs look like, what a good outcome "
            "would be, and which trade-offs (speed, cost, quality) matter most here."
        ),
    ]
    points = [
        "Clarify the goal and the audience.",
        "Gather the key facts and constraints.",
        "Draft a first version quickly.",
        "Review it against the original request.",
        "Iterate on the weakest part.",
        "Keep the final answer short and concrete.",
    ]
    rng.shuffle(points)
    closers = [
        "Let me know if you'd like more detail on any of these points.",
        "Happy to expand on any part of this or try a different angle.",
        "If you share more context, I can tailor this further.",
    ]
    bullet_lines = "\n".join(f"{i}. {p}" for i, p in enumerate(points[: rng.randint(3, 4)], 1))
    return (
        f"{rng.choice(openers)}\n\n"
        f"> {shown}\n\n"
        f"{rng.choice(middles)}\n\n"
        f"{bullet_lines}\n\n"
        f"{rng.choice(closers)}\n\n"
        f"_(Sandbox output from model “{model}” — generated locally, no provider was called.)_"
    )


TRANSCRIPT_LINES = [
    "Thanks for joining, let's get started.",
    "The first thing to look at is the schedule for next week.",
    "We moved the review to Thursday morning.",
    "Can everyone check the shared folder before then?",
    "I'll send a short summary after this call.",
    "That's everything from my side.",
]


def render_transcript(model: str, seconds: float, *, language: str = "en", seed: str = "") -> str:
    """A speech-to-text answer: timestamped lines covering ``seconds`` of audio, deterministic per seed."""
    rng = _rng("transcript", model, seed)
    lines = TRANSCRIPT_LINES[:]
    rng.shuffle(lines)
    count = max(1, min(len(lines), int(seconds // 3) or 1))
    step = seconds / count
    body = "\n".join(f"[{_fmt_time(i * step)}] Speaker {1 + i % 2}: {line}" for i, line in enumerate(lines[:count]))
    return f"{body}\n\n(language: {language}; sandbox transcript from “{model}”, no provider was called)"


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


# --------------------------------------------------------------------------
# Probe
# --------------------------------------------------------------------------

_PIL_FORMATS: dict[str, tuple[str, str]] = {
    # Pillow format -> (content type, short name)
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpeg"),
    "MPO": ("image/jpeg", "jpeg"),  # multi-picture JPEG from cameras
    "WEBP": ("image/webp", "webp"),
    "GIF": ("image/gif", "gif"),
    "BMP": ("image/bmp", "bmp"),
    "TIFF": ("image/tiff", "tiff"),
    "AVIF": ("image/avif", "avif"),
}

# FFmpeg demuxer names (tokens of container.format.name) we accept.
_AV_DEMUXERS = {
    "mov",
    "mp4",
    "matroska",
    "webm",
    "wav",
    "mp3",
    "ogg",
    "flac",
    "aac",
    "avi",
}


def _probe_image(data: bytes) -> dict | None:
    Image.init()  # Image.OPEN is empty in a fresh process until the plugins are registered
    formats = [f for f in _PIL_FORMATS if f in Image.OPEN]
    try:
        with Image.open(io.BytesIO(data), formats=formats) as img:
            fmt = img.format or ""
            img.load()  # full decode: truncated/corrupt files fail here
            width, height = img.size
    except Exception:
        return None
    if fmt not in _PIL_FORMATS or width <= 0 or height <= 0:
        return None
    content_type, short = _PIL_FORMATS[fmt]
    return {
        "kind": "image",
        "content_type": content_type,
        "format": short,
        "width": width,
        "height": height,
        "duration": None,
    }


def _is_attached_pic(stream: av.stream.Stream) -> bool:
    try:
        return bool(stream.disposition & av.stream.Disposition.attached_pic)
    except Exception:
        return False


def _ebml_vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int, bool]:
    """Read an EBML variable-length integer: (value, new_pos, is_unknown_size)."""
    if pos >= len(data):
        raise ValueError("truncated Matroska header")
    first = data[pos]
    length = 1
    mask = 0x80
    while length <= 8 and not first & mask:
        mask >>= 1
        length += 1
    if length > 8 or pos + length > len(data):
        raise ValueError("malformed Matroska header")
    value = first if keep_marker else first & (mask - 1)
    for b in data[pos + 1 : pos + length]:
        value = (value << 8) | b
    unknown = not keep_marker and value == (1 << (7 * length)) - 1
    return value, pos + length, unknown


def _check_complete(data: bytes, fmt_tokens: set[str]) -> None:
    """Structural completeness checks that catch truncated downloads.

    MP4/MOV: the top-level boxes must tile the file exactly.  WebM/MKV: the
    Segment must fit in the data (unless its size is "unknown", as in live
    streams).  WAV: the RIFF chunks must fit (streamed 0/0xFFFFFFFF sizes are
    tolerated).  Other formats rely on the full demux pass in _probe_av.
    """
    if fmt_tokens & {"mov", "mp4"}:
        try:
            boxes = _mp4_atoms(data, 0, len(data))
        except ValueError:
            raise ValueError("truncated or malformed MP4/MOV file") from None
        kinds = {b[0] for b in boxes}
        if b"moov" not in kinds or not kinds & {b"mdat", b"moof"}:
            raise ValueError("MP4/MOV file lacks moov/mdat")
    elif fmt_tokens & {"matroska", "webm"}:
        pos = 0
        _, pos, _ = _ebml_vint(data, pos, keep_marker=True)  # EBML header id
        size, pos, _ = _ebml_vint(data, pos, keep_marker=False)
        pos += size
        seg_id, pos, _ = _ebml_vint(data, pos, keep_marker=True)
        if seg_id != 0x18538067:
            raise ValueError("Matroska file without a Segment")
        size, pos, unknown = _ebml_vint(data, pos, keep_marker=False)
        if not unknown and pos + size > len(data):
            raise ValueError("truncated WebM/Matroska file")
    elif "wav" in fmt_tokens and data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        pos = 12
        while pos + 8 <= len(data):
            chunk, size = (
                data[pos : pos + 4],
                int.from_bytes(data[pos + 4 : pos + 8], "little"),
            )
            if chunk == b"data" and size in (0, 0xFFFFFFFF):
                break  # streamed WAV: length unknown
            if pos + 8 + size > len(data):
                raise ValueError("truncated WAV file")
            if chunk == b"data":
                break
            pos += 8 + size + (size & 1)


def _probe_av(data: bytes) -> dict:
    try:
        container = av.open(io.BytesIO(data), "r")
    except Exception as exc:
        raise ValueError(f"not a recognised image, video or audio file ({exc.__class__.__name__})") from None
    try:
        fmt_tokens = set((container.format.name or "").split(","))
        if not fmt_tokens & _AV_DEMUXERS:
            raise ValueError(f"unsupported media container: {container.format.name!r}")
        videos = [s for s in container.streams.video if not _is_attached_pic(s)]
        audios = list(container.streams.audio)
        if videos:
            kind, stream = "video", videos[0]
        elif audios:
            kind, stream = "audio", audios[0]
        else:
            raise ValueError("media file has no audio or video stream")

        # Must actually decode: catches garbage that happens to have a header.
        decoded = False
        try:
            for n, packet in enumerate(container.demux(stream)):
                if n > 300:
                    break
                if packet.size == 0:
                    continue
                if packet.decode():
                    decoded = True
                    break
            else:
                if not decoded:
                    # flush the decoder (codecs with delay return frames only now)
                    decoded = bool(stream.codec_context.decode(None))
        except ValueError:
            raise
        except Exception as exc:
            raise ValueError(f"media stream does not decode ({exc.__class__.__name__})") from None
        if not decoded:
            raise ValueError("media stream has no decodable frames")

        _check_complete(data, fmt_tokens)
        # Demux the rest (cheap, no decoding): corrupt containers fail here.
        try:
            for _ in container.demux():
                pass
        except Exception as exc:
            raise ValueError(f"media container is corrupt ({exc.__class__.__name__})") from None

        duration: float | None = None
        if container.duration is not None and container.duration > 0:
            duration = container.duration / av.time_base
        elif stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)

        width = height = None
        if kind == "video":
            width = stream.codec_context.width or None
            height = stream.codec_context.height or None
            if not width or not height:
                raise ValueError("video stream has no frame size")

        if "mov" in fmt_tokens or "mp4" in fmt_tokens:
            brand = str(container.metadata.get("major_brand", "")).strip().lower()
            if brand == "qt":
                content_type, short = (
                    ("video/quicktime" if kind == "video" else "audio/quicktime"),
                    "mov",
                )
            elif kind == "video":
                content_type, short = "video/mp4", "mp4"
            else:
                content_type, short = "audio/mp4", "m4a"
        elif "matroska" in fmt_tokens or "webm" in fmt_tokens:
            if b"webm" in data[:4096]:
                content_type, short = f"{kind}/webm", "webm"
            else:
                content_type, short = f"{kind}/x-matroska", "mkv"
        elif "ogg" in fmt_tokens:
            content_type, short = f"{kind}/ogg", "ogg"
        elif "avi" in fmt_tokens:
            content_type, short = "video/x-msvideo", "avi"
        elif "wav" in fmt_tokens:
            content_type, short = "audio/wav", "wav"
        elif "mp3" in fmt_tokens:
            content_type, short = "audio/mpeg", "mp3"
        elif "flac" in fmt_tokens:
            content_type, short = "audio/flac", "flac"
        else:  # aac (ADTS)
            content_type, short = "audio/aac", "aac"
        if kind == "video" and content_type.startswith("audio/"):
            raise ValueError("video stream in an audio-only container")
    finally:
        container.close()

    return {
        "kind": kind,
        "content_type": content_type,
        "format": short,
        "width": width,
        "height": height,
        "duration": duration,
    }


def probe(data: bytes) -> dict:
    """Identify a media file from its bytes.

    Returns {"kind": "image"|"video"|"audio", "content_type", "format",
    "width", "height", "duration"}; width/height are None for audio,
    duration (seconds, float) is None for images.

    Accepts PNG, JPEG, WebP, GIF, BMP, TIFF, AVIF images (via Pillow, fully
    decoded) and MP4/MOV, WebM/MKV, Ogg, AVI, WAV, MP3, FLAC, AAC media (via
    PyAV; the first stream must decode).  Anything else -- random bytes, HTML,
    JSON, truncated files -- raises ValueError.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("probe() needs bytes")
    data = bytes(data)
    if len(data) < 16:
        raise ValueError("data too short to be a media file")
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"{", b"[")):
        raise ValueError("data looks like a text document, not media")
    info = _probe_image(data)
    if info is not None:
        return info
    return _probe_av(data)
