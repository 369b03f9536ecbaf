"""The team pages under /team/ that generations serves: usage and the generations export (namespace ``team``,
put together with accounts.team_urls and billing.team_urls in project/urls.py)."""

from django.urls import path

from generations import usage_views

urlpatterns = [
    path("usage/", usage_views.usage, name="usage"),
    path("usage/generations.csv", usage_views.generations_csv, name="generations_csv"),
]
