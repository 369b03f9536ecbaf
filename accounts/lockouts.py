"""Guessing passwords is slowed down: failed logins are counted per username and per address (django-axes),
and password-reset requests per address and per email (a fixed window in the cache).

- Logins: ``LOGIN_FAILURE_LIMIT`` failures (5) for one username, or from one address, lock that username or
  address out for ``LOGIN_COOLOFF_MINUTES`` (15) from the last counted failure; the right password is refused
  too meanwhile. A successful login clears the failures counted for that username (not its address's).
- Password resets: ``PASSWORD_RESET_LIMIT`` requests (5) per address and per email address per hour.
- Staff see the lockouts on Staff → Lockouts and clear one (audited as ``login.unlock``).

API keys never pass through here: the API authenticates with its keys, not passwords.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from redis.exceptions import RedisError

from accounts.audit import audit_record
from accounts.models import User

RESET_WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Lockout:
    """A username or an address locked out, until when."""

    kind: str  # "username" or "address"
    value: str
    failures: int
    until: datetime

    @property
    def minutes_left(self) -> int:
        return max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))


def client_address(request: HttpRequest) -> str | None:
    """The address sign-ins are counted by (``AXES_CLIENT_IP_CALLABLE``): ``REMOTE_ADDR``, or behind a load
    balancer the last address in ``CLIENT_IP_HEADER`` (the one the balancer itself appended, which a client
    can't forge), so that clients don't all share the balancer's address and its limit."""
    header = settings.CLIENT_IP_HEADER
    if header:
        forwarded = [part.strip() for part in request.META.get(header, "").split(",") if part.strip()]
        with contextlib.suppress(ValueError):  # not an address (no balancer set it): REMOTE_ADDR
            return str(ipaddress.ip_address(forwarded[-1])) if forwarded else request.META.get("REMOTE_ADDR")
    return request.META.get("REMOTE_ADDR")


def _cool_off() -> timedelta:
    return settings.AXES_COOLOFF_TIME


def _recent_attempts():
    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - _cool_off())


def _locked_until(attempts: list[tuple[datetime, int]]) -> tuple[int, datetime] | None:
    """django-axes adds up the failures of the rows seen within the cool-off, so a lockout lasts until the
    oldest of the newest rows that reach the limit ages out. ``(failures, until)``, or None."""
    counted = 0
    for seen, failures in sorted(attempts, reverse=True):
        counted += failures
        if counted >= settings.AXES_FAILURE_LIMIT:
            return sum(f for _, f in attempts), seen + _cool_off()
    return None


def lockouts_active() -> list[Lockout]:
    """Every username and address locked out now, the soonest to end first (for the staff page)."""
    rows = list(_recent_attempts().values_list("username", "ip_address", "attempt_time", "failures_since_start"))
    found: list[Lockout] = []
    for kind, column in (("username", 0), ("address", 1)):
        grouped: dict[str, list[tuple[datetime, int]]] = {}
        for row in rows:
            if row[column] is not None:
                grouped.setdefault(row[column], []).append((row[2], row[3]))
        for value, attempts in grouped.items():
            locked = _locked_until(attempts)
            if locked is not None:
                found.append(Lockout(kind, value, *locked))
    return sorted(found, key=lambda lockout: lockout.until)


def lockout_for(*, username: str | None, ip_address: str | None) -> Lockout | None:
    """The lockout that holds this username or address now, the one ending last."""
    matching = [
        lockout
        for lockout in lockouts_active()
        if (lockout.kind == "username" and lockout.value == username)
        or (lockout.kind == "address" and lockout.value == ip_address)
    ]
    return max(matching, key=lambda lockout: lockout.until, default=None)


def login_failures_forget(*, username: str) -> None:
    """A successful sign-in proves the password: that username's counted failures are forgotten (not
    those of the address it came from, which may be guessing at other usernames)."""
    AccessAttempt.objects.filter(username=username).delete()


def lockout_clear(*, kind: str, value: str, actor: User) -> int:
    """Staff unlock a username or an address: its counted failures are forgotten. Audited."""
    if kind == "username":
        cleared = axes_reset(username=value)
    elif kind == "address":
        cleared = axes_reset(ip=value)
    else:
        raise ValueError(f"unknown lockout kind {kind!r}")
    audit_record(
        action="login.unlock",
        actor=actor,
        summary=f"Unlocked the {kind} {value} (sign-in failures cleared)",
        detail={"kind": kind, "value": value, "attempts_cleared": cleared},
    )
    return cleared


def _too_many_page(request: HttpRequest, *, minutes: int, what: str) -> HttpResponse:
    response = render(request, "accounts/locked_out.html", {"minutes": minutes, "what": what}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


def login_locked_out_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """django-axes' lockout answer (``AXES_LOCKOUT_CALLABLE``): 429, "try again in N minutes"."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    lockout = lockout_for(username=username, ip_address=get_client_ip_address(request))
    minutes = lockout.minutes_left if lockout else math.ceil(_cool_off().total_seconds() / 60)
    return _too_many_page(request, minutes=minutes, what="sign-in attempts")


def password_reset_throttled(request: HttpRequest, *, email: str) -> HttpResponse | None:
    """Count one reset request for this address and this email; the 429 page once either is over the limit."""
    limit = settings.PASSWORD_RESET_LIMIT
    if not limit:
        return None
    window = int(time.time() // RESET_WINDOW_SECONDS)
    buckets = [f"reset-limit:ip:{get_client_ip_address(request)}", f"reset-limit:email:{email.strip().lower()}"]
    over = False
    for bucket in buckets:
        key = f"{bucket}:{window}"
        cache.add(key, 0, RESET_WINDOW_SECONDS + 60)
        try:
            count = cache.incr(key)
        except (ValueError, RedisError):  # the cache is unavailable (project.cache): fail open
            continue
        over = over or count > limit
    if not over:
        return None
    seconds_left = (window + 1) * RESET_WINDOW_SECONDS - time.time()
    return _too_many_page(request, minutes=max(1, math.ceil(seconds_left / 60)), what="password-reset requests")
