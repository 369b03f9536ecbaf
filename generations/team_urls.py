"""The team pages under /team/ that generations serves (namespace ``team``, joined in project/urls.py)."""

from django.urls import path

from generations.views import team

urlpatterns = [
    path("jobs-cap/", team.jobs_cap, name="jobs_cap"),
    path("jobs-in-flight/", team.jobs_in_flight, name="jobs_in_flight"),
]
