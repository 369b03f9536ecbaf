"""Real, locally made media for the sandbox provider emulator.

Everything here is a pure function (no Django, no network, no ffmpeg binary):
images come from Pillow, videos and their audio tracks from PyAV's bundled
FFmpeg libraries, WAV files from the stdlib ``wave`` module.

The same :func:`probe` is meant to be used by the studio to check downloaded
outputs, so it is strict: anything that is not a decodable image, video or
audio file in a well-known format raises :class:`ValueError`.

Where each kind lives
---------------------
- ``sizes.py``: :func:`aspect_size` (aspect ratios, "720p"/"2K"/"WxH"
  resolutions, named ratios) and the size check the renderers share.
- ``image.py``: background, prompt card, fonts and text wrapping,
  :func:`render_image`, :func:`zip_images`.
- ``audio.py``: :func:`render_audio` and the looping tone samples.
- ``video.py``: :func:`render_video`, encoder choice, MP4 boxes and faststart.
- ``text.py``: :func:`render_text`, :func:`render_transcript` and keywords.
- ``probing.py``: :func:`probe` and its image / PyAV / completeness checks.
- ``_common.py``: the seeded RNG and the mm:ss clock, used by several kinds.

Import the public names from ``sandbox.media`` (``from sandbox import media``).

Speed notes
-----------
Rendering cost scales with pixel count and frame count.  A 5 s, 320x180,
12 fps MP4 encodes in a few tens of milliseconds; a 1080p clip is ~35x more
pixels.  Callers that only need *a* real file (tests, the sandbox's default
mode) should pass a small ``base`` to :func:`aspect_size` (e.g. 320 or 512) and
a low ``fps``.
"""

from __future__ import annotations

from sandbox.media.audio import render_audio
from sandbox.media.image import render_image, zip_images
from sandbox.media.probing import probe
from sandbox.media.sizes import aspect_size
from sandbox.media.text import render_text, render_transcript
from sandbox.media.video import render_video

__all__ = [
    "aspect_size",
    "probe",
    "render_audio",
    "render_image",
    "render_text",
    "render_transcript",
    "render_video",
    "zip_images",
]
