from django.contrib import admin

from generations.models import Asset, Generation


class AssetInline(admin.TabularInline):
    model = Asset
    extra = 0
    readonly_fields = ["public_id", "index", "kind", "filename", "content_type", "size", "width", "height", "duration"]
    fields = readonly_fields


@admin.register(Generation)
class GenerationAdmin(admin.ModelAdmin):
    list_display = ["public_id", "team", "offer", "status", "credits_quoted", "credits_charged", "created_at"]
    list_filter = ["status", "offer__provider", "offer__category"]
    search_fields = ["public_id", "prompt", "team__name", "provider_job_id"]
    readonly_fields = [f.name for f in Generation._meta.fields]
    inlines = [AssetInline]

    def has_add_permission(self, request) -> bool:
        return False
