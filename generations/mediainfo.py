"""What a media file is, judged by its content (never its name), and its previews."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from decimal import Decimal

from PIL import Image, UnidentifiedImageError

Image.MAX_IMAGE_PIXELS = 80_000_000  # larger is refused as a decompression bomb

IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/gif": "gif",
    "video/mp4": "mp4",
    "video/webm": "webm",
    "video/quicktime": "mov",
    "audio/wav": "wav",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "text/plain": "txt",
    "application/zip": "zip",
}


class MediaError(ValueError):
    pass


@dataclass(frozen=True)
class MediaInfo:
    kind: str  # image | video | audio | text
    content_type: str
    width: int | None = None
    height: int | None = None
    duration: Decimal | None = None
    has_audio: bool | None = None  # a video's audio track (None where it does not apply)

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.content_type, "bin")


def _probe_image(path: str) -> MediaInfo | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
        with image:
            image.verify()
            fmt = image.format
            width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaError("The image is too large to process safely.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError):
        return None
    if fmt not in IMAGE_TYPES:
        return None
    return MediaInfo("image", IMAGE_TYPES[fmt], width, height)


def _probe_av(path: str) -> MediaInfo | None:
    import av

    try:
        with av.open(path) as container:
            fmt = container.format.name
            video = next(iter(container.streams.video), None)
            audio = next(iter(container.streams.audio), None)
            duration = Decimal(container.duration) / Decimal(1_000_000) if container.duration else None
            if video is not None and video.codec_context.width:
                if "webm" in fmt or "matroska" in fmt:
                    content_type = "video/webm"
                elif "mov" in fmt or "mp4" in fmt:
                    content_type = "video/mp4" if not str(path).lower().endswith(".mov") else "video/quicktime"
                else:
                    return None
                return MediaInfo(
                    "video",
                    content_type,
                    video.codec_context.width,
                    video.codec_context.height,
                    duration.quantize(Decimal("0.001")) if duration else None,
                    has_audio=audio is not None,
                )
            if audio is not None:
                types = {"wav": "audio/wav", "mp3": "audio/mpeg", "mov,mp4,m4a,3gp,3g2,mj2": "audio/mp4"}
                content_type = types.get(fmt)
                if content_type is None:
                    return None
                return MediaInfo(
                    "audio", content_type, None, None, duration.quantize(Decimal("0.001")) if duration else None
                )
    except (av.FFmpegError, OSError, ValueError):
        return None
    return None


def media_probe(path: str, *, allow_text: bool = False) -> MediaInfo:
    """Identify an image, video or audio file by its bytes; MediaError otherwise."""
    info = _probe_image(path) or _probe_av(path)
    if info:
        return info
    if allow_text:
        with open(path, "rb") as handle:
            head = handle.read(65536)
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if b"\x00" not in head:
                return MediaInfo("text", "text/plain")
    raise MediaError("The file is not a supported image, video or audio file.")


def image_thumbnail(path: str, *, size: int = 640) -> bytes:
    with Image.open(path) as image:
        image.thumbnail((size, size))
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=82, optimize=True)
        return out.getvalue()


def video_poster(path: str, *, size: int = 640) -> bytes | None:
    """The first decodable frame of a video, as a JPEG thumbnail."""
    import av

    try:
        with av.open(path) as container:
            for frame in container.decode(video=0):
                image = frame.to_image()
                image.thumbnail((size, size))
                out = io.BytesIO()
                image.convert("RGB").save(out, "JPEG", quality=82)
                return out.getvalue()
    except (av.FFmpegError, OSError, ValueError):
        return None
    return None
