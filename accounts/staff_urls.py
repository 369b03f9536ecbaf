"""Staff → Lockouts (mounted at /staff/lockouts/)."""

from django.urls import path

from accounts import staff_views

app_name = "staff_lockouts"

urlpatterns = [
    path("", staff_views.lockouts, name="index"),
    path("unlock/", staff_views.lockout_unlock, name="unlock"),
]
