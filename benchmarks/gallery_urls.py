"""The studio's URLs plus ``/_bench/trivial/``: the cheapest page the same server can serve (benchmark only)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("_bench/trivial/", trivial),
    path("", include("project.urls")),
]
