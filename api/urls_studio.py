"""The studio's API key pages, mounted at /settings/api-keys/."""

from django.urls import path

from api import pages

app_name = "api_keys"

urlpatterns = [
    path("", pages.api_keys, name="index"),
    path("<str:public_id>/revoke/", pages.api_key_revoke_view, name="revoke"),
]
