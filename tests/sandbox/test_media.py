"""Tests for sandbox.media: every renderer must produce the real file it claims.

Pure functions, no database: run with
    .venv/bin/python -m pytest tests/sandbox/test_media.py -p no:django -q
"""

from __future__ import annotations

import functools
import io
import json
import random
import wave
import zipfile
from fractions import Fraction

import av
import pytest
from PIL import Image

from sandbox import media

SMALL = (160, 90)


# --------------------------------------------------------------------------
# aspect_size
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        ("1:1", Fraction(1, 1)),
        ("16:9", Fraction(16, 9)),
        ("9:16", Fraction(9, 16)),
        ("4:3", Fraction(4, 3)),
        ("3:4", Fraction(3, 4)),
        ("3:2", Fraction(3, 2)),
        ("2:3", Fraction(2, 3)),
        ("21:9", Fraction(21, 9)),
        ("16x9", Fraction(16, 9)),
        ("landscape", Fraction(16, 9)),
        ("portrait", Fraction(9, 16)),
    ],
)
@pytest.mark.parametrize("base", [1024, 320])
def test_aspect_size_ratio(ratio: str, expected: Fraction, base: int) -> None:
    w, h = media.aspect_size(ratio, base=base)
    assert w % 2 == 0 and h % 2 == 0
    assert max(w, h) == base
    # rounding to even may move the short side by at most 1 px
    assert abs(w / h - float(expected)) <= float(expected) * 2.0 / min(w, h)
    assert (w >= h) == (expected >= 1)


@pytest.mark.parametrize("auto", [None, "auto", "", "AUTO", "match_input_image"])
def test_aspect_size_auto_is_square(auto: str | None) -> None:
    assert media.aspect_size(auto, base=512) == (512, 512)


@pytest.mark.parametrize(
    ("ratio", "resolution", "expected"),
    [
        ("16:9", "720p", (1280, 720)),
        ("9:16", "720p", (720, 1280)),
        ("16:9", "1080p", (1920, 1080)),
        ("9:16", "1080P", (1080, 1920)),
        ("16:9", "480p", (854, 480)),
        ("1:1", "720p", (720, 720)),
        ("16:9", "2160p", (3840, 2160)),
        ("16:9", "4K", (4096, 2304)),
        ("1:1", "1K", (1024, 1024)),
        ("1:1", "2K", (2048, 2048)),
        ("4:3", "HD", (960, 720)),
        ("16:9", "1024x576", (1024, 576)),
        ("16:9", None, (1024, 576)),
        ("16:9", "auto", (1024, 576)),
    ],
)
def test_aspect_size_resolution(ratio: str, resolution: str | None, expected: tuple[int, int]) -> None:
    assert media.aspect_size(ratio, resolution) == expected


@pytest.mark.parametrize(
    ("ratio", "resolution"),
    [("banana", None), ("0:9", None), ("16:9", "huge"), ("1:100", None)],
)
def test_aspect_size_rejects_nonsense(ratio: str, resolution: str | None) -> None:
    with pytest.raises(ValueError):
        media.aspect_size(ratio, resolution)


# --------------------------------------------------------------------------
# images
# --------------------------------------------------------------------------


def test_render_image_png_exact_size_and_deterministic() -> None:
    data = media.render_image("A red fox in the snow", 333, 201, seed=7)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        assert img.format == "PNG"
        assert img.size == (333, 201)
        rgb = img.convert("RGB")
    assert media.render_image("A red fox in the snow", 333, 201, seed=7) == data
    assert media.render_image("A red fox in the snow", 333, 201, seed=8) != data
    assert media.render_image("A blue fox in the snow", 333, 201, seed=7) != data
    # the prompt is drawn in white on a dark panel: there must be white text pixels
    colours = rgb.getcolors(maxcolors=333 * 201) or []
    white = sum(count for count, (r, g, b) in colours if min(r, g, b) >= 240)
    assert white > 100


def test_render_image_text_changes_pixels() -> None:
    """Different prompts with the same background seed differ in the text area."""
    a = Image.open(io.BytesIO(media.render_image("short", 256, 256)))
    b = Image.open(io.BytesIO(media.render_image("a considerably longer prompt text", 256, 256)))
    assert a.tobytes() != b.tobytes()


@pytest.mark.parametrize(
    ("fmt", "pil_format"),
    [("JPEG", "JPEG"), ("jpg", "JPEG"), ("WEBP", "WEBP"), ("png", "PNG")],
)
def test_render_image_formats(fmt: str, pil_format: str) -> None:
    data = media.render_image("formats", 200, 120, fmt=fmt)
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        assert img.format == pil_format
        assert img.size == (200, 120)


def test_render_image_long_prompt_and_tiny_size() -> None:
    long_prompt = "lorem ipsum " * 300 + "x" * 500
    for size in [(64, 64), (16, 16), (400, 120)]:
        with Image.open(io.BytesIO(media.render_image(long_prompt, *size))) as img:
            assert img.size == size


def test_render_image_rejects_bad_args() -> None:
    with pytest.raises(ValueError):
        media.render_image("x", 100, 100, fmt="BMP-ish")
    with pytest.raises(ValueError):
        media.render_image("x", 0, 100)


# --------------------------------------------------------------------------
# video
# --------------------------------------------------------------------------


def _open_video(data: bytes) -> tuple[av.container.InputContainer, float]:
    container = av.open(io.BytesIO(data))
    assert container.duration is not None
    return container, container.duration / av.time_base


@pytest.mark.parametrize(
    ("container", "format_token", "vcodecs", "acodec"),
    [
        ("mp4", "mp4", {"h264", "mpeg4"}, "aac"),
        ("webm", "webm", {"vp8", "vp9"}, "opus"),
    ],
)
@pytest.mark.parametrize("with_audio", [False, True])
def test_render_video(container: str, format_token: str, vcodecs: set[str], acodec: str, with_audio: bool) -> None:
    fps, seconds = 12, 2.5
    data = media.render_video(
        "a cat surfing a wave",
        seconds,
        *SMALL,
        fps=fps,
        container=container,
        with_audio=with_audio,
    )
    c, duration = _open_video(data)
    try:
        assert format_token in c.format.name.split(",")
        assert abs(duration - seconds) <= 1 / fps
        (vs,) = c.streams.video
        assert vs.codec_context.name in vcodecs
        assert (vs.codec_context.width, vs.codec_context.height) == SMALL
        assert vs.codec_context.pix_fmt == "yuv420p"
        if with_audio:
            (aus,) = c.streams.audio
            assert aus.codec_context.name == acodec
        else:
            assert not c.streams.audio
        frames = list(c.decode(video=0))
        assert len(frames) == round(seconds * fps)
        assert frames[0].width == SMALL[0] and frames[0].height == SMALL[1]
    finally:
        c.close()
    # something moves: first and last frames differ
    assert frames[0].to_image().tobytes() != frames[-1].to_image().tobytes()


def test_render_video_frame_count_rounding_and_odd_size() -> None:
    data = media.render_video("odd", 1.04, 101, 57, fps=10)  # 10.4 frames -> 10; odd sizes -> even
    c, duration = _open_video(data)
    try:
        assert abs(duration - 1.0) <= 1 / 10
        assert (c.streams.video[0].width, c.streams.video[0].height) == (100, 56)
        assert sum(1 for _ in c.decode(video=0)) == 10
    finally:
        c.close()


def test_render_video_mp4_is_faststart() -> None:
    data = media.render_video("fast start", 1, *SMALL, with_audio=True)
    assert data.index(b"moov") < data.index(b"mdat")


def test_render_video_rejects_bad_args() -> None:
    with pytest.raises(ValueError):
        media.render_video("x", 1, *SMALL, container="avi")
    with pytest.raises(ValueError):
        media.render_video("x", 0, *SMALL)
    with pytest.raises(ValueError):
        media.render_video("x", 1, 8, 8)


# --------------------------------------------------------------------------
# audio
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("seconds", "rate"), [(1.0, 22050), (1.2345, 22050), (2.5, 44100), (0.3, 8000)])
def test_render_audio_exact_length(seconds: float, rate: int) -> None:
    data = media.render_audio(seconds, sample_rate=rate)
    with wave.open(io.BytesIO(data)) as w:
        assert w.getnframes() == round(seconds * rate)
        assert w.getframerate() == rate
        assert w.getnchannels() == 1
        assert w.getsampwidth() == 2
        frames = w.readframes(w.getnframes())
    assert len(frames) == 2 * round(seconds * rate)
    assert frames.count(0) < len(frames) * 0.9  # not silence


def test_render_audio_rejects_bad_args() -> None:
    with pytest.raises(ValueError):
        media.render_audio(0)
    with pytest.raises(ValueError):
        media.render_audio(1, sample_rate=10)


# --------------------------------------------------------------------------
# text and zip
# --------------------------------------------------------------------------


def test_render_text_deterministic_and_mentions_prompt() -> None:
    prompt = "Explain photosynthesis to a ten year old"
    out = media.render_text(prompt, "gpt-4o-mini")
    assert isinstance(out, str) and len(out) > 100
    assert prompt in out
    assert "gpt-4o-mini" in out
    assert media.render_text(prompt, "gpt-4o-mini") == out


def test_zip_images_holds_valid_images() -> None:
    png = media.render_image("one", 64, 48)
    jpg = media.render_image("two", 48, 64, fmt="JPEG")
    data = media.zip_images(
        [
            ("one.png", png),
            ("two.jpg", jpg),
            ("one.png", png),
            ("../../etc/evil.png", png),
        ]
    )
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        assert names == ["one.png", "two.jpg", "one-2.png", "evil.png"]
        for name in names:
            with Image.open(io.BytesIO(zf.read(name))) as img:
                img.load()
        assert zf.read("two.jpg") == jpg


# --------------------------------------------------------------------------
# probe
# --------------------------------------------------------------------------


def test_probe_identifies_renderer_outputs() -> None:
    png = media.probe(media.render_image("p", 120, 80))
    assert png == {
        "kind": "image",
        "content_type": "image/png",
        "format": "png",
        "width": 120,
        "height": 80,
        "duration": None,
    }
    assert media.probe(media.render_image("p", 120, 80, fmt="JPEG"))["content_type"] == "image/jpeg"
    assert media.probe(media.render_image("p", 120, 80, fmt="WEBP"))["content_type"] == "image/webp"

    mp4 = media.probe(media.render_video("v", 2, *SMALL))
    assert mp4["kind"] == "video" and mp4["content_type"] == "video/mp4"
    assert (mp4["width"], mp4["height"]) == SMALL
    assert abs(mp4["duration"] - 2) <= 1 / 12

    webm = media.probe(media.render_video("v", 1.5, *SMALL, container="webm", with_audio=True))
    assert webm["kind"] == "video" and webm["content_type"] == "video/webm"
    assert abs(webm["duration"] - 1.5) <= 1 / 12

    wav = media.probe(media.render_audio(1.5))
    assert wav == {
        "kind": "audio",
        "content_type": "audio/wav",
        "format": "wav",
        "width": None,
        "height": None,
        "duration": pytest.approx(1.5, abs=1e-3),
    }


@functools.cache
def _garbage() -> tuple[bytes, ...]:
    rnd = random.Random(1234)
    png = media.render_image("trunc", 200, 200)
    mp4 = media.render_video("trunc", 1, *SMALL, with_audio=True)
    webm = media.render_video("trunc", 1, *SMALL, container="webm")
    wav = media.render_audio(1)
    return (
        b"",
        b"\x00" * 4096,
        bytes(rnd.getrandbits(8) for _ in range(20000)),
        bytes(rnd.getrandbits(8) for _ in range(64)),
        b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nope</body></html>" * 10,
        b"  <html><body>Access denied</body></html>",
        json.dumps({"error": {"message": "quota exceeded"}}).encode(),
        b"Hello, this is just some plain text that is not media at all.\n" * 50,
        png[: len(png) // 2],  # truncated PNG
        png[:100] + bytes(2000),  # PNG header, corrupt body
        mp4[:200],  # truncated MP4 (no moov, no data)
        mp4[: len(mp4) * 3 // 5],  # interrupted downloads: headers fine, data cut
        webm[: len(webm) * 3 // 5],
        wav[: len(wav) * 3 // 5],
        media.zip_images([("a.png", png)]),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" * 20,
    )


@pytest.mark.parametrize("index", range(16))
def test_probe_rejects_garbage(index: int) -> None:
    assert len(_garbage()) == 16
    data = _garbage()[index]
    with pytest.raises(ValueError):
        media.probe(data)


def test_probe_rejects_non_bytes() -> None:
    with pytest.raises(TypeError):
        media.probe("not bytes")  # type: ignore[arg-type]
