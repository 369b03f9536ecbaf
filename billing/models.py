"""Wallets, holds and the append-only ledger.

A wallet has a ``balance`` (credits the team owns, held ones included) and a
``held`` amount; what can be spent is ``balance - held``. Every movement is a
:class:`LedgerEntry` carrying its signed effect on both, so the wallet always
equals the sum of its entries (``manage.py billing_audit`` checks it). The
database enforces the rules: no negative available balance, no zero entries,
each entry's effect fits its kind, entries can't be updated or deleted (a
trigger, see migration 0002), and a hold resolves once.

Holds and entries name the job they are for with plain references (its public id, the member who ran it,
the offer and provider it ran on), so usage reads the ledger alone: billing knows nothing of generations.
The ``generation`` foreign key stays for the database's integrity (a job with credits can't be deleted).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from project.ids import public_id

CREDITS = {"max_digits": 14, "decimal_places": 2}
# The most a credits column holds (999999999999.99): a balance past it is a database error, so grants stop there.
CREDITS_MAX = Decimal(10) ** (CREDITS["max_digits"] - CREDITS["decimal_places"]) - Decimal("0.01")


@dataclass(frozen=True)
class JobRef:
    """The job a hold is for, as the ledger records it: plain values from the app above (generations builds it,
    ``Generation.ledger_ref``), never a model of that app."""

    id: int  # the generation's primary key (the foreign key kept for integrity)
    public_id: str
    member_id: int
    offer_key: str
    provider_slug: str


class Wallet(models.Model):
    team = models.OneToOneField("accounts.Team", on_delete=models.PROTECT, related_name="wallet")
    balance = models.DecimalField(**CREDITS, default=Decimal("0"))
    held = models.DecimalField(**CREDITS, default=Decimal("0"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(held__gte=0), name="wallet_held_not_negative"),
            models.CheckConstraint(condition=Q(balance__gte=F("held")), name="wallet_available_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.available} available"

    @property
    def available(self) -> Decimal:
        return self.balance - self.held


class HoldState(models.TextChoices):
    OPEN = "open", "Open"
    CAPTURED = "captured", "Captured"
    RELEASED = "released", "Released"
    EXPIRED = "expired", "Expired"


class Hold(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=partial(public_id, "hold"), editable=False)
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="holds")
    generation = models.OneToOneField(
        "generations.Generation", on_delete=models.PROTECT, related_name="hold", null=True, blank=True
    )
    # Plain references to the job (see the module docstring): what usage and the ledger pages read.
    generation_ref = models.CharField(max_length=32, blank=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    offer_key = models.CharField(max_length=160, blank=True)
    provider_slug = models.CharField(max_length=20, blank=True)
    amount = models.DecimalField(**CREDITS)
    captured = models.DecimalField(**CREDITS, default=Decimal("0"))
    state = models.CharField(max_length=10, choices=HoldState.choices, default=HoldState.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="hold_amount_positive"),
            models.CheckConstraint(
                condition=Q(captured__gte=0) & Q(captured__lte=F("amount")), name="hold_capture_within_amount"
            ),
            models.CheckConstraint(
                condition=Q(state="open", resolved_at__isnull=True) | Q(~Q(state="open"), resolved_at__isnull=False),
                name="hold_resolved_at_matches_state",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "expires_at"], name="hold_open_expiry"),
            models.Index(fields=["wallet", "created_at"], name="hold_wallet_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.amount} ({self.state})"


class EntryKind(models.TextChoices):
    GRANT = "grant", "Grant"
    DEDUCTION = "deduction", "Deduction"
    ADJUSTMENT = "adjustment", "Adjustment"
    HOLD = "hold", "Hold"
    CAPTURE = "capture", "Capture"
    RELEASE = "release", "Release"
    EXPIRY = "expiry", "Expiry"


class LedgerEntry(models.Model):
    """One movement of credits. Append-only: the database refuses UPDATE and DELETE."""

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    # Signed effects: the wallet's balance and held amount are the sums of these.
    balance_delta = models.DecimalField(**CREDITS)
    held_delta = models.DecimalField(**CREDITS)
    hold = models.ForeignKey(Hold, on_delete=models.PROTECT, null=True, blank=True, related_name="entries")
    generation = models.ForeignKey(
        "generations.Generation", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    # Plain references to the job (see the module docstring): what usage and the ledger pages read.
    generation_ref = models.CharField(max_length=32, blank=True, db_index=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    offer_key = models.CharField(max_length=160, blank=True)
    provider_slug = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    reason = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(condition=~Q(balance_delta=0) | ~Q(held_delta=0), name="ledger_entry_not_zero"),
            models.CheckConstraint(
                condition=(
                    Q(kind="grant", balance_delta__gt=0, held_delta=0)
                    | Q(kind="deduction", balance_delta__lt=0, held_delta=0)
                    | Q(kind="adjustment", held_delta=0)
                    | Q(kind="hold", balance_delta=0, held_delta__gt=0)
                    | Q(kind="capture", balance_delta__lt=0, held_delta=F("balance_delta"))
                    | Q(kind="release", balance_delta=0, held_delta__lt=0)
                    | Q(kind="expiry", balance_delta=0, held_delta__lt=0)
                ),
                name="ledger_entry_effect_fits_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["grant", "deduction", "adjustment"]) | Q(hold__isnull=False),
                name="ledger_hold_entries_name_their_hold",
            ),
            # A hold is taken once, captured at most once, and given back (released or expired) at most once.
            models.UniqueConstraint(fields=["hold"], condition=Q(kind="hold"), name="ledger_one_hold_entry"),
            models.UniqueConstraint(fields=["hold"], condition=Q(kind="capture"), name="ledger_one_capture_per_hold"),
            models.UniqueConstraint(
                fields=["hold"], condition=Q(kind__in=["release", "expiry"]), name="ledger_one_release_per_hold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.balance_delta}/{self.held_delta}"

    @property
    def amount(self) -> Decimal:
        """The size of the movement, as a person reads it."""
        return self.held_delta if self.kind in {"hold", "release", "expiry"} else self.balance_delta


class TeamLimits(models.Model):
    """A team's own guard rails: a monthly budget with an alert threshold, and when to warn about the balance."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="limits")
    monthly_budget = models.DecimalField(**CREDITS, null=True, blank=True)
    alert_percent = models.PositiveSmallIntegerField(default=80)
    low_balance = models.DecimalField(**CREDITS, default=Decimal("20"))
    # The first day of the month whose budget alert was sent, so it goes out once a month.
    budget_alerted_month = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "team limits"
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_budget__isnull=True) | Q(monthly_budget__gt=0), name="limits_budget_positive"
            ),
            models.CheckConstraint(
                condition=Q(alert_percent__gte=1, alert_percent__lte=100), name="limits_alert_percent_range"
            ),
            models.CheckConstraint(condition=Q(low_balance__gte=0), name="limits_low_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Limits of {self.team}"

    @property
    def alert_at(self) -> Decimal | None:
        if self.monthly_budget is None:
            return None
        return (self.monthly_budget * self.alert_percent / 100).quantize(Decimal("0.01"))


class MemberLimit(models.Model):
    """A monthly spend limit for one member of one team; goes away with the membership."""

    membership = models.OneToOneField("accounts.Membership", on_delete=models.CASCADE, related_name="spend_limit")
    monthly_limit = models.DecimalField(**CREDITS)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(monthly_limit__gt=0), name="member_limit_positive")]

    def __str__(self) -> str:
        return f"{self.membership.user} in {self.membership.team}: {self.monthly_limit}/month"
