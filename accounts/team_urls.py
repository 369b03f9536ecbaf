"""The team pages under /team/ that accounts serves: members and invites (namespace ``team``, put together
with billing.team_urls in project/urls.py)."""

from django.urls import path
from django.views.generic import RedirectView

from accounts import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="team:members", permanent=False)),
    path("members/", views.members, name="members"),
    path("members/invite/", views.members_invite, name="invite_create"),
    path("members/invites/<str:public_id>/revoke/", views.members_invite_revoke, name="invite_revoke"),
    path("members/<str:public_id>/role/", views.member_role, name="member_role"),
    path("members/<str:public_id>/remove/", views.member_remove, name="member_remove"),
    path("leave/", views.team_leave, name="leave"),
    path("join/<str:token>/", views.invite_join, name="join"),
]
