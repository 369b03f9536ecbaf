from django.contrib import admin

from catalog.models import ModelFamily, Offer, Provider


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "unit", "credit_rate", "markup", "enabled"]
    list_editable = ["credit_rate", "markup", "enabled"]


@admin.register(ModelFamily)
class ModelFamilyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "category", "enabled"]
    list_filter = ["category", "enabled"]
    search_fields = ["name", "slug"]
    list_editable = ["enabled"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "model_id",
        "provider",
        "family",
        "category",
        "base_provider_cost",
        "priced",
        "live_listed",
        "enabled",
    ]
    list_filter = ["provider", "category", "enabled", "priced", "live_listed"]
    search_fields = ["name", "model_id", "family__name"]
    list_editable = ["enabled"]
    readonly_fields = ["spec", "priced", "live_listed", "live_cost", "live_data", "live_synced_at", "synced_at"]
