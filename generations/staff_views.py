"""Staff pages about the providers themselves: reconciliation of their accounts with the studio's charges, and
deliveries that fell short of what was paid for, with a refund."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import staff_required
from billing.services import RefundTooLarge, credits_refund
from generations.forms import DeliveryRefundForm
from generations.reconcile import provider_accounts_read, provider_reconcile
from generations.selectors import delivery_mismatch, delivery_mismatches


@staff_required
@require_GET
def reconcile(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        day = dt.date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else today
    except ValueError:
        day = today
        messages.error(request, "The date must look like 2026-01-31; showing today.")
    rows = provider_reconcile(day=day)
    return render(
        request,
        "staff/reconcile.html",
        {"rows": rows, "day": day, "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1)},
    )


@staff_required
@require_POST
def reconcile_read(request: HttpRequest) -> HttpResponse:
    readings = provider_accounts_read()
    messages.success(
        request, "Read " + (", ".join(f"{r.provider}: {r.balance.normalize()}" for r in readings) or "no account")
    )
    return redirect("staff_providers:reconcile")


@staff_required
@require_GET
def deliveries(request: HttpRequest) -> HttpResponse:
    """Finished jobs whose files fell short of what was asked and paid for, with a refund form each."""
    return _deliveries_page(request)


def _deliveries_page(request: HttpRequest, *, errors: dict[str, DeliveryRefundForm] | None = None, status: int = 200):
    rows = delivery_mismatches()
    forms = errors or {}
    for row in rows:
        if row.generation.public_id not in forms:
            forms[row.generation.public_id] = DeliveryRefundForm(
                initial={
                    "amount": row.suggested or None,
                    "reason": f"Delivery fell short: {_issues_text(row.generation.delivery_issues)}",
                    "idempotency_key": f"refund:{uuid.uuid4().hex}",
                }
            )
    return render(
        request,
        "staff/deliveries.html",
        {"rows": [(row, forms[row.generation.public_id]) for row in rows]},
        status=status,
    )


def _issues_text(issues: list[dict]) -> str:
    return "; ".join(f"asked {issue.get('asked')}, got {issue.get('got')}" for issue in issues)


@staff_required
@require_POST
def delivery_refund(request: HttpRequest, public_id: str) -> HttpResponse:
    """Refund part of one job's charge: an audited adjustment in the team's ledger, linked to the job."""
    generation = delivery_mismatch(public_id=public_id)
    form = DeliveryRefundForm(request.POST)
    if form.is_valid():
        try:
            credits_refund(
                team=generation.team,
                generation_id=generation.pk,
                amount=form.cleaned_data["amount"],
                reason=f"{form.cleaned_data['reason']} ({generation.public_id})",
                actor=request.user,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except RefundTooLarge as exc:
            form.add_error("amount", str(exc))
        else:
            messages.success(request, f"Refunded {form.cleaned_data['amount']} credits to {generation.team.name}.")
            return redirect("staff_deliveries:list")
    return _deliveries_page(request, errors={public_id: form}, status=422)
