"""Private helpers shared by more than one media kind: the seeded RNG (images, text) and the
mm:ss.ss clock (video counter, transcript timestamps)."""

from __future__ import annotations

import hashlib
import random


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _fmt_time(t: float) -> str:
    m, s = divmod(t, 60)
    return f"{int(m):02d}:{s:05.2f}"
