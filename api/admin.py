from django.contrib import admin

from api.models import ApiKey, ApiSubmission


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "team", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "team__name", "user__username"]
    readonly_fields = [f.name for f in ApiKey._meta.fields if f.name != "name"]
    exclude = ["secret_hash", "callback_secret"]

    def has_add_permission(self, request) -> bool:
        return False  # keys are made in the studio or with create_api_key, so the key is shown to its owner


@admin.register(ApiSubmission)
class ApiSubmissionAdmin(admin.ModelAdmin):
    list_display = ["generation", "api_key", "callback_state", "callback_attempts", "created_at"]
    list_filter = ["callback_state"]
    search_fields = ["generation__public_id", "api_key__prefix"]
    readonly_fields = [f.name for f in ApiSubmission._meta.fields]
