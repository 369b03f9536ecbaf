"""The operators' team pages under /staff/ (namespace ``staff``, put together in project/urls.py)."""

from django.urls import path

from billing import staff_views

urlpatterns = [
    path("", staff_views.home, name="home"),
    path("teams/<str:public_id>/", staff_views.team_detail, name="team"),
]
