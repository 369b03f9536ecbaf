"""The studio's URLs plus two trivial views to compare the live quote with (benchmark only):

- ``/_bench/trivial/``: returns "ok" through the same middleware, nothing else;
- ``/_bench/trivial-member/``: the same, behind the quote's own guard (a signed-in team member, CSRF on POST),
  so the difference to ``/generate/quote/`` is the quote's own work.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_http_methods

from accounts.decorators import team_member_required


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@team_member_required
@require_http_methods(["GET", "POST"])
def trivial_member(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("_bench/trivial/", trivial),
    path("_bench/trivial-member/", trivial_member),
    path("", include("project.urls")),
]
