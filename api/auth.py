"""Authenticating API requests, and the decorator every API view goes through.

A key is read from ``Authorization: Bearer KEY`` or the aliases Kubflow
documents (``x-kubflow-api-key``, ``x-api-key``). It acts as its member in its
team, and only while that member is still in the team.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.models import Membership
from api.errors import ApiError, error_response
from api.keys import key_matches, key_prefix
from api.models import ApiKey
from api.ratelimit import rate_limit_hit
from api.selectors import api_key_by_prefix
from api.services import api_key_touch
from billing.services import BillingError, InsufficientCredits
from catalog.pricing import QuoteError
from generations.services.submission import IdempotencyConflict
from project.health import RETRY_AFTER, is_unavailable

logger = logging.getLogger(__name__)

KEY_HEADERS = ("x-kubflow-api-key", "x-api-key")
UNAUTHORIZED = {"WWW-Authenticate": 'Bearer realm="studio-api"'}


@dataclass(frozen=True)
class ApiCaller:
    api_key: ApiKey
    membership: Membership

    @property
    def team(self):
        return self.membership.team

    @property
    def user(self):
        return self.membership.user


def key_from_headers(request: HttpRequest) -> str | None:
    authorization = request.headers.get("Authorization", "").strip()
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    for header in KEY_HEADERS:
        value = request.headers.get(header, "").strip()
        if value:
            return value
    return None


def caller_authenticate(request: HttpRequest) -> ApiCaller:
    """The key's member, or ApiError 401 (no key, a bad key, a revoked key) / 403 (no API access)."""
    key = key_from_headers(request)
    if key is None:
        raise ApiError(
            401,
            "missing_api_key",
            "Send Authorization: Bearer YOUR_KEY (or an x-api-key header).",
            headers=UNAUTHORIZED,
        )
    prefix = key_prefix(key)
    api_key = api_key_by_prefix(prefix=prefix) if prefix else None
    if api_key is None or not key_matches(key, api_key.secret_hash):
        raise ApiError(401, "invalid_api_key", "This API key is not valid.", headers=UNAUTHORIZED)
    if api_key.revoked_at is not None:
        raise ApiError(401, "revoked_api_key", "This API key was revoked.", headers=UNAUTHORIZED)
    membership = Membership.objects.select_related("team", "user").filter(team=api_key.team, user=api_key.user).first()
    if membership is None or not membership.user.is_active:
        raise ApiError(403, "no_api_access", "This key's member no longer has access to the team.")
    api_key_touch(api_key=api_key)
    return ApiCaller(api_key=api_key, membership=membership)


def _refusal(exc: Exception) -> HttpResponse | None:
    """The JSON answer for an exception a service raises for a refused request."""
    if isinstance(exc, ApiError):
        return exc.response()
    if isinstance(exc, QuoteError):
        return error_response(400, exc.code, exc.message, **exc.details)
    if isinstance(exc, InsufficientCredits):  # spend limits are a kind of it, with ``limit`` saying which
        details = {"needed_credits": str(exc.needed), "available_credits": str(exc.available)}
        if getattr(exc, "limit", None):
            details["limit"] = exc.limit
        return error_response(402, exc.code, str(exc), **details)
    if isinstance(exc, BillingError):
        return error_response(402, getattr(exc, "code", "billing_error"), str(exc))
    if isinstance(exc, IdempotencyConflict):
        return error_response(409, exc.code, str(exc))
    if isinstance(exc, Http404):
        return error_response(404, "not_found", "Not found for this API key's team.")
    if isinstance(exc, RequestDataTooBig):
        return error_response(400, "request_too_large", "The request body is too large.")
    if is_unavailable(exc):  # out of database connections, or the database restarting: retry, not a bug
        return error_response(
            503, "unavailable", "The studio is busy; retry in a few seconds.", headers={"Retry-After": RETRY_AFTER}
        )
    return None


def _refuse_nul(request: HttpRequest, kwargs: dict) -> None:
    """PostgreSQL text can't hold NUL: a query or path with one is a bad request, not a database error."""
    values = [*request.GET.values(), *(str(v) for v in kwargs.values())]
    if any("\x00" in value for value in values):
        raise ApiError(400, "invalid_request", "The URL must not contain NUL characters.")


def api_view(*methods: str, authenticated: bool = True) -> Callable:
    """JSON in and out: method check, key, rate limit, and every refusal as ``{"error", "message"}``.

    The view is called as ``view(request, caller, ...)`` (``caller`` is None
    for public endpoints). Unexpected exceptions still answer JSON, with 500.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                return error_response(
                    405,
                    "method_not_allowed",
                    f"{request.method} is not allowed here; use {', '.join(methods)}.",
                    headers={"Allow": ", ".join(methods)},
                )
            verdict = None
            try:
                _refuse_nul(request, kwargs)
                caller = caller_authenticate(request) if authenticated else None
                if caller is not None:
                    verdict = rate_limit_hit(bucket=caller.api_key.prefix)
                    if verdict is not None and not verdict.allowed:
                        raise ApiError(
                            429,
                            "rate_limited",
                            f"Too many requests for this key; retry in {verdict.retry_after} s.",
                            headers={"Retry-After": str(verdict.retry_after)},
                            retry_after=verdict.retry_after,
                        )
                response = view(request, caller, *args, **kwargs)
            except Exception as exc:
                response = _refusal(exc)
                if response is None:
                    logger.exception("API error on %s %s", request.method, request.path)
                    response = error_response(500, "internal_error", "Something went wrong on our side.")
            if verdict is not None:
                response["X-RateLimit-Limit"] = str(verdict.limit)
                response["X-RateLimit-Remaining"] = str(verdict.remaining)
            response.setdefault("Cache-Control", "no-store")
            return response

        return wrapper

    return decorate
