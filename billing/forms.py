from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone

from billing.models import CREDITS_MAX, EntryKind

MAX_RANGE_DAYS = 366
STAFF_KEY = re.compile(r"staff:[0-9a-f-]{36}")


def _credits_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class DateRangeForm(forms.Form):
    """A range of days, the last 30 by default, at most a year."""

    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict:
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=29)
        if start > end:
            raise forms.ValidationError("The start date is after the end date.")
        if (end - start).days >= MAX_RANGE_DAYS:
            raise forms.ValidationError(f"Choose at most {MAX_RANGE_DAYS} days.")
        data["start"], data["end"] = start, end
        return data

    def range(self) -> tuple[date, date]:
        """The chosen days, or the default when the form is invalid."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        today = timezone.localdate()
        return today - timedelta(days=29), today


class LedgerFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Any kind"), *EntryKind.choices], required=False)
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    member = forms.ChoiceField(required=False)
    generation = forms.CharField(required=False, max_length=40, label="Generation id")

    def __init__(self, *args, members: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "Anyone"), *members]


class TeamLimitsForm(forms.Form):
    monthly_budget = _credits_field(
        required=False,
        min_value=Decimal("0.01"),
        help_text="Credits the team may spend each calendar month. Empty: no budget.",
    )
    alert_percent = forms.IntegerField(
        min_value=1, max_value=100, initial=80, label="Alert at (% of budget)",
        help_text="Owners and admins get an email, once a month, when spend reaches this share of the budget.",
    )  # fmt: skip
    low_balance = _credits_field(
        min_value=Decimal("0"), initial=Decimal("20"), label="Low-balance warning below",
        help_text="Everyone in the team sees a banner when the available balance drops below this.",
    )  # fmt: skip


class MemberLimitForm(forms.Form):
    monthly_limit = _credits_field(required=False, min_value=Decimal("0.01"), label="Monthly limit")


class StaffCreditForm(forms.Form):
    direction = forms.ChoiceField(choices=[("grant", "Grant (add credits)"), ("deduct", "Deduct (remove credits)")])
    # Bounded in clean() by value, not digits, so any amount too large is told the largest allowed.
    amount = forms.DecimalField(decimal_places=2, min_value=Decimal("0.01"))
    reason = forms.CharField(max_length=255, help_text="Required. Shown in the team's ledger.")
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, balance: Decimal | None = None, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", f"staff:{uuid.uuid4()}")
        super().__init__(*args, **kwargs)
        self.balance = balance  # the wallet's balance now: a grant may take it up to CREDITS_MAX

    def clean(self) -> dict:
        data = super().clean()
        amount = data.get("amount")
        if amount is None:
            return data
        largest = CREDITS_MAX
        if data.get("direction") == "grant" and self.balance is not None:
            largest = max(CREDITS_MAX - self.balance, Decimal(0))
        if amount > largest:
            self.add_error(
                "amount",
                f"The largest amount allowed is {largest} credits: a wallet holds at most {CREDITS_MAX} credits.",
            )
        return data

    def clean_idempotency_key(self) -> str:
        # Only keys this form made: a key naming another ledger entry would silently do nothing.
        key = self.cleaned_data["idempotency_key"]
        if not STAFF_KEY.fullmatch(key):
            raise forms.ValidationError("This form has expired; reload the page.")
        return key

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why: the reason is recorded in the ledger.")
        return reason
