"""The team pages under /team/ that billing serves: limits, failover and the ledger export (namespace ``team``,
put together with accounts.team_urls and generations.team_urls in project/urls.py)."""

from django.urls import path

from billing import views

urlpatterns = [
    path("limits/", views.limits, name="limits"),
    path("failover/", views.failover, name="failover"),
    path("limits/<str:public_id>/", views.member_limit, name="member_limit"),
    path("usage/ledger.csv", views.ledger_csv, name="ledger_csv"),
]
