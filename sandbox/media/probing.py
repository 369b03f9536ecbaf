"""Probe: :func:`probe` identifies an image (Pillow, fully decoded) or a video/audio file (PyAV, first
stream decoded, container checked for truncation) from its bytes, and raises ValueError for anything else."""

from __future__ import annotations

import io

import av
from PIL import Image

from sandbox.media.video import _mp4_atoms

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
