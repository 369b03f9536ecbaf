"""The public API, mounted at /api/v1/. Paths match Kubflow's (no trailing slash; one is tolerated)."""

from django.urls import path, re_path

from api import views

app_name = "api"

urlpatterns = [
    re_path(r"^openapi\.json$", views.openapi_json, name="openapi"),
    path("docs/", views.docs, name="docs"),
    re_path(r"^me/?$", views.me, name="me"),
    re_path(r"^models/?$", views.models, name="models"),
    re_path(r"^quotes/?$", views.quotes, name="quotes"),
    re_path(r"^balance/?$", views.balance, name="balance"),
    re_path(r"^usage/?$", views.usage, name="usage"),
    re_path(r"^generations/?$", views.generations, name="generations"),
    re_path(r"^generations/(?P<generation_id>[^/]+)/?$", views.generation, name="generation"),
    re_path(r"^generations/(?P<generation_id>[^/]+)/cancel/?$", views.generation_cancel_view, name="generation_cancel"),
    re_path(
        r"^generations/(?P<generation_id>[^/]+)/outputs/(?P<index>[0-9]{1,4})/?$",
        views.generation_output,
        name="generation_output",
    ),
    re_path(r"^batches/?$", views.batches, name="batches"),
    re_path(r"^batches/(?P<batch_id>[^/]+)/?$", views.batch, name="batch"),
    re_path(r"^batches/(?P<batch_id>[^/]+)/cancel/?$", views.batch_cancel_view, name="batch_cancel"),
    re_path(r"^(?P<rest>.*)$", views.unknown),
]
