"""Opaque public ids: a short prefix that says what the thing is, then random text."""

import secrets


def public_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(12).replace('-', 'x').replace('_', 'z')}"
