"""Video: :func:`render_video` (MP4 / WebM through PyAV's bundled FFmpeg), encoder choice, and the MP4
box reader and in-memory +faststart (the box reader is also what :mod:`sandbox.media.probing` checks
MP4/MOV completeness with)."""

from __future__ import annotations

import functools
import io
import math
import sys
from fractions import Fraction

import av
from PIL import ImageDraw

from sandbox.media._common import _fmt_time
from sandbox.media.audio import _tone_samples
from sandbox.media.image import _card, _font
from sandbox.media.sizes import _check_size

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
