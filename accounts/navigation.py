"""Where a form sends its user back to (``next``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def local_next(request: HttpRequest, target: str, default: str) -> str:
    """``target`` when it is a path on this site, else ``default``.

    Only a path counts: a bare word ("417", "gallery") passes Django's host check, but redirect() would
    take it for a view name and fail with a 500 (found by tests/security/test_fuzz.py).
    """
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
