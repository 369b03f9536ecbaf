from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import team_urls as accounts_team_urls
from billing import staff_urls as billing_staff_urls
from billing import team_urls as billing_team_urls
from catalog import staff_urls as catalog_staff_urls
from generations import team_urls as generations_team_urls
from project import health

handler500 = "project.health.server_error"

# The gallery's URLs come first: its poll is the request the studio serves most (every open gallery
# page, every couple of seconds), and Django tries the patterns in order. None of them overlaps another app's.
# /team/ and /staff/ are each one namespace served by two apps: the app below never routes to the one
# above (accounts knows nothing of billing, billing nothing of catalog), so the wiring joins them here.
team_urls = (
    accounts_team_urls.urlpatterns + billing_team_urls.urlpatterns + generations_team_urls.urlpatterns,
    "team",
)
staff_urls = (billing_staff_urls.urlpatterns + catalog_staff_urls.urlpatterns, "staff")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("", RedirectView.as_view(pattern_name="generations:gallery", permanent=False)),
    path("", include("generations.urls")),
    path("accounts/", include("accounts.urls")),
    path("catalog/", include("catalog.urls")),
    path("billing/", include("billing.urls")),
    path("team/", include(team_urls)),
    path("staff/reconcile/", include("generations.staff_urls")),
    path("staff/deliveries/", include("generations.staff_delivery_urls")),
    path("staff/lockouts/", include("accounts.staff_urls")),
    path("staff/", include(staff_urls)),
    path("api/v1/", include("api.urls")),
    path("settings/api-keys/", include("api.urls_studio")),
    path("admin/", admin.site.urls),
]
