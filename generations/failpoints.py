"""Failpoints: named places in the job pipeline where a fault drill can kill the worker.

Inactive unless ``STUDIO_FAILPOINTS`` names them (comma-separated), which only
the fault tests in tests/reliability/ do. An active failpoint kills the whole
worker (its process group) with SIGKILL the first time it is reached, as a
machine losing power would, and leaves a marker so a restarted worker passes.
"""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path


def failpoint(name: str) -> None:
    active = os.environ.get("STUDIO_FAILPOINTS", "")
    if not active or name not in active.split(","):
        return
    marker = Path(os.environ.get("STUDIO_FAILPOINT_DIR", tempfile.gettempdir())) / f"failpoint-{name}"
    if marker.exists():
        return
    marker.write_text(str(os.getpid()))
    os.killpg(os.getpgid(0), signal.SIGKILL)
