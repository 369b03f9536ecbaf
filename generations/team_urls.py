"""The team pages under /team/ that generations serves: the cap on jobs in flight, usage and the generations
export (namespace ``team``, joined with accounts.team_urls and billing.team_urls in project/urls.py)."""

from django.urls import path

from generations.views import team, usage

urlpatterns = [
    path("jobs-cap/", team.jobs_cap, name="jobs_cap"),
    path("jobs-in-flight/", team.jobs_in_flight, name="jobs_in_flight"),
    path("usage/", usage.usage, name="usage"),
    path("usage/generations.csv", usage.generations_csv, name="generations_csv"),
]
