from django.urls import path

from generations import staff_views

app_name = "staff_providers"

urlpatterns = [
    path("", staff_views.reconcile, name="reconcile"),
    path("read/", staff_views.reconcile_read, name="reconcile_read"),
]
