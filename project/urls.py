from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from project import health

handler500 = "project.health.server_error"

# The gallery's URLs come first: its poll is the request the studio serves most (every open gallery
# page, every couple of seconds), and Django tries the patterns in order. None of them overlaps another app's.
urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("", RedirectView.as_view(pattern_name="generations:gallery", permanent=False)),
    path("", include("generations.urls")),
    path("accounts/", include("accounts.urls")),
    path("catalog/", include("catalog.urls")),
    path("billing/", include("billing.urls")),
    path("team/", include("accounts.team_urls")),
    path("staff/reconcile/", include("generations.staff_urls")),
    path("staff/deliveries/", include("generations.staff_delivery_urls")),
    path("staff/lockouts/", include("accounts.staff_urls")),
    path("staff/", include("billing.staff_urls")),
    path("api/v1/", include("api.urls")),
    path("settings/api-keys/", include("api.urls_studio")),
    path("admin/", admin.site.urls),
]
