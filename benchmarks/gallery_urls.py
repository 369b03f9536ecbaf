"""The studio's URLs plus two trivial views to compare with (benchmark only, see benchmarks/gallery.py):
``/_bench/trivial/`` returns "ok" through the same middleware; ``/_bench/trivial-signed-in/`` does the
same behind the studio's sign-in and team check, the floor under any page of a signed-in member."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from accounts.decorators import team_member_required


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("_bench/trivial/", trivial),
    path("_bench/trivial-signed-in/", team_member_required(trivial)),
    path("", include("project.urls")),
]
