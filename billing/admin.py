from django.contrib import admin

from billing.models import Hold, LedgerEntry, MemberLimit, TeamLimits, Wallet


@admin.register(Wallet)
class WalletAdmin(admin.ModelAdmin):
    """Read-only: credits move only through the staff pages (billing.services), which write the ledger."""

    list_display = ["team", "balance", "held", "available", "updated_at"]
    search_fields = ["team__name", "team__slug", "team__public_id"]
    readonly_fields = ["team", "balance", "held", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    list_display = ["public_id", "wallet", "amount", "captured", "state", "created_at", "expires_at", "resolved_at"]
    list_filter = ["state"]
    search_fields = ["public_id", "wallet__team__name", "wallet__team__slug", "generation_ref"]
    readonly_fields = [f.name for f in Hold._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "wallet", "kind", "balance_delta", "held_delta", "actor", "reason"]
    list_filter = ["kind"]
    search_fields = ["wallet__team__name", "wallet__team__slug", "reason", "idempotency_key", "generation_ref"]
    readonly_fields = [f.name for f in LedgerEntry._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TeamLimits)
class TeamLimitsAdmin(admin.ModelAdmin):
    """Read-only here: owners and admins set limits on the team's limits page (which writes the audit log)."""

    list_display = ["team", "monthly_budget", "alert_percent", "low_balance", "budget_alerted_month", "updated_at"]
    list_filter = [("monthly_budget", admin.EmptyFieldListFilter)]
    search_fields = ["team__name", "team__slug"]
    readonly_fields = [f.name for f in TeamLimits._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MemberLimit)
class MemberLimitAdmin(admin.ModelAdmin):
    list_display = ["membership", "monthly_limit", "updated_by", "updated_at"]
    search_fields = ["membership__team__name", "membership__user__username"]
    readonly_fields = [f.name for f in MemberLimit._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
