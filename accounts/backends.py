"""The first authentication backend: django-axes' lockout check (accounts.lockouts)."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginLimitBackend(AxesStandaloneBackend):
    """Refuses a locked-out username or address before any password is checked.

    Every sign-in over HTTP (the login page, the Django admin's) passes its request, and is checked.
    ``authenticate()`` without one comes only from code of the studio's own host (a shell, the test
    client's ``login()``), where there is no address to count and nobody to slow down: it is let through
    to the password check, where django-axes would raise instead.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs
    ):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
