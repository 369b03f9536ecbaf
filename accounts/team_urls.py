"""The team administration pages under /team/: members and invites, limits, usage and exports."""

from django.urls import path
from django.views.generic import RedirectView

from accounts import views
from billing import views as billing_views

app_name = "team"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="team:members", permanent=False)),
    path("members/", views.members, name="members"),
    path("members/invite/", views.members_invite, name="invite_create"),
    path("members/invites/<str:public_id>/revoke/", views.members_invite_revoke, name="invite_revoke"),
    path("members/<str:public_id>/role/", views.member_role, name="member_role"),
    path("members/<str:public_id>/remove/", views.member_remove, name="member_remove"),
    path("leave/", views.team_leave, name="leave"),
    path("join/<str:token>/", views.invite_join, name="join"),
    path("limits/", billing_views.limits, name="limits"),
    path("failover/", billing_views.failover, name="failover"),
    path("limits/<str:public_id>/", billing_views.member_limit, name="member_limit"),
    path("usage/", billing_views.usage, name="usage"),
    path("usage/ledger.csv", billing_views.ledger_csv, name="ledger_csv"),
    path("usage/generations.csv", billing_views.generations_csv, name="generations_csv"),
]
