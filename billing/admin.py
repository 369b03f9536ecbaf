from django.contrib import admin

from billing.models import Hold, LedgerEntry, Wallet


@admin.register(Wallet)
class WalletAdmin(admin.ModelAdmin):
    list_display = ["team", "balance", "held", "updated_at"]
    search_fields = ["team__name", "team__slug"]
    readonly_fields = ["team", "balance", "held", "updated_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    list_display = ["public_id", "wallet", "amount", "captured", "state", "created_at", "expires_at"]
    list_filter = ["state"]
    search_fields = ["public_id", "wallet__team__name", "generation__public_id"]
    readonly_fields = [f.name for f in Hold._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "wallet", "kind", "balance_delta", "held_delta", "actor", "reason"]
    list_filter = ["kind"]
    search_fields = ["wallet__team__name", "reason", "idempotency_key", "generation__public_id"]
    readonly_fields = [f.name for f in LedgerEntry._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
