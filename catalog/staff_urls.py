"""The operators' prices page under /staff/prices/ (namespace ``staff``, put together in project/urls.py)."""

from django.urls import path

from catalog import staff_views

urlpatterns = [
    path("prices/", staff_views.prices, name="prices"),
    path("prices/providers/<slug:slug>/", staff_views.provider_pricing, name="provider_pricing"),
    path("prices/models/<slug:slug>/", staff_views.family_enabled, name="family_enabled"),
    path("prices/offers/", staff_views.offer_enabled, name="offer_enabled"),
    path("prices/offers/studio-price/", staff_views.offer_studio_price, name="offer_studio_price"),
]
