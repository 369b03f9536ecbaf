"""Real media files of known lengths for tests, and a local web server to fetch them from."""

from __future__ import annotations

import io
import threading
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

from sandbox.media import render_video


def wav(seconds: float, *, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV of exactly ``seconds`` (the stdlib's wave module)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(b"\x00\x10" * round(seconds * rate))
    return out.getvalue()


def mp4(seconds: float) -> bytes:
    """An H.264 MP4 of ``seconds`` (12 fps), made as the sandbox makes its videos."""
    return render_video("reference clip", seconds, 64, 36)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


@contextmanager
def served(routes: dict[str, tuple[str, bytes]]) -> Iterator[str]:
    """Serve ``routes`` (path → content type, body) on 127.0.0.1; yields ``host:port``."""

    class Files(BaseHTTPRequestHandler):
        def do_GET(self):
            content_type, body = routes.get(self.path, ("text/plain", b"missing"))
            self.send_response(200 if self.path in routes else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Files)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
