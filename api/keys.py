"""The shape of an API key: ``sk_<12 hex>_<43 url-safe chars>``.

The part before the second underscore is the key's prefix: stored as is, shown
in the studio, and used to find the key. The whole key is stored only as its
SHA-256, which is enough for a 256-bit random secret (no slow hash needed: it
can't be guessed, only stolen, and a stolen database holds no usable key).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

KEY_START = "sk_"
PREFIX_LENGTH = len(KEY_START) + 12


def key_generate() -> tuple[str, str]:
    """A new key and its prefix."""
    prefix = KEY_START + secrets.token_hex(6)
    return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"


def key_prefix(key: str) -> str | None:
    """The prefix of something shaped like a key, else None."""
    if not key.startswith(KEY_START) or len(key) < PREFIX_LENGTH + 2 or key[PREFIX_LENGTH] != "_":
        return None
    return key[:PREFIX_LENGTH]


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_matches(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(key_hash(key), stored_hash)


def callback_secret_generate() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def callback_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over ``{timestamp}.{body}``, hex: what X-Studio-Signature carries after ``sha256=``."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
