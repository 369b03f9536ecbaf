"""Refusals made once for every request, before any view or database sees it.

PostgreSQL text can't hold NUL (``\\x00``): a value with one reaching a query is a database error (a 500).
So a NUL anywhere in the path, a query key or value, or a form key or value is refused here, with
400: the API's JSON shape (``{"error": "invalid_request", ...}``) under ``/api/`` and ``/hooks/``, a plain page
elsewhere. Bodies under ``/api/`` and ``/hooks/`` are JSON, the API's to check (``api.inputs``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string

NUL = "\x00"
JSON_PREFIXES = ("/api/", "/hooks/")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(values: Iterable[str]) -> bool:
    return any(NUL in value for value in values)


def _query_has_nul(query) -> bool:
    return _has_nul(query.keys()) or any(_has_nul(query.getlist(key)) for key in query)


def _nul_refused(request: HttpRequest, where: str) -> HttpResponse:
    message = f"The {where} must not contain NUL characters."
    if request.path_info.startswith(JSON_PREFIXES):
        return JsonResponse({"error": "invalid_request", "message": message}, status=400)
    # Drawn without the request's context: nothing (session, user, team) is read for a refused request.
    return HttpResponseBadRequest(render_to_string("400.html", {"message": message}))


class NulRefusalMiddleware:
    """400 for a NUL byte in the path, the query or a submitted form (raw or percent-encoded)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path_info or NUL in request.path or _query_has_nul(request.GET):
            return _nul_refused(request, "URL")
        # The API and the providers' hooks take JSON (the API checks its bodies, api.inputs): their bodies
        # are left unread here, so a view can still read a multipart body as the bytes it is.
        # Django answers a form too large or unreadable with 400, as the CSRF check reading it did before;
        # file names need no check: Django drops their non-printable characters.
        form = request.method == "POST" and request.content_type in FORM_TYPES
        if form and not request.path_info.startswith(JSON_PREFIXES) and _query_has_nul(request.POST):
            return _nul_refused(request, "form")
        return self.get_response(request)
