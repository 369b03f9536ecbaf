from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import team_admin_required, team_member_required
from accounts.selectors import members_for_team, membership_in_team
from accounts.services import team_failover_set
from billing.forms import LedgerFilterForm, MemberLimitForm, TeamLimitsForm
from billing.selectors import (
    DEFAULT_LOW_BALANCE,
    budget_status,
    ledger_filtered,
    ledger_rows,
    member_limits_for,
    spend_this_month_by_member,
    team_limits_for,
)
from billing.services import member_limit_set, team_limits_set
from project.csv_export import csv_response

LEDGER_PAGE = 100


def _ledger_filters(request: HttpRequest) -> tuple[LedgerFilterForm, dict[str, Any]]:
    members = list(members_for_team(team=request.team))
    form = LedgerFilterForm(request.GET or None, members=[(m.public_id, m.user.username) for m in members])
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        by_id = {m.public_id: m.user for m in members}
        filters = {
            "kind": data["kind"],
            "start": data["start"],
            "end": data["end"],
            "member": by_id.get(data["member"]),
            "generation": data["generation"],
        }
    return form, filters


@team_member_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    """The team's ledger, filterable; HTMX gets only the table when the filters change."""
    form, filters = _ledger_filters(request)
    entries = ledger_filtered(team=request.team, **filters)
    page = Paginator(entries, LEDGER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "entries": page.object_list, "query": query.urlencode()}
    template = "billing/ledger.html#ledger-table" if request.htmx else "billing/ledger.html"
    return render(request, template, context)


@team_admin_required
@require_http_methods(["GET", "POST"])
def limits(request: HttpRequest) -> HttpResponse:
    """The monthly budget, its alert threshold, the low-balance warning and every member's limit."""
    current = team_limits_for(team=request.team)
    initial = {
        "monthly_budget": current.monthly_budget if current else None,
        "alert_percent": current.alert_percent if current else 80,
        "low_balance": current.low_balance if current else DEFAULT_LOW_BALANCE,
    }
    form = TeamLimitsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        team_limits_set(team=request.team, actor=request.user, **form.cleaned_data)
        messages.success(request, "Limits saved.")
        return redirect("team:limits")
    return render(request, "billing/limits.html", {"form": form, **_member_limits_context(request)})


@team_admin_required
@require_POST
def failover(request: HttpRequest) -> HttpResponse:
    """Turn provider failover on or off (a team setting, off by default)."""
    enabled = request.POST.get("enabled") == "on"
    team_failover_set(team=request.team, actor=request.user, enabled=enabled)
    messages.success(request, f"Provider failover is {'on' if enabled else 'off'}.")
    return redirect("team:limits")


def _member_limits_context(request: HttpRequest) -> dict[str, Any]:
    spent = spend_this_month_by_member(team=request.team)
    limits_by_membership = member_limits_for(team=request.team)
    rows = []
    for membership in members_for_team(team=request.team):
        limit = limits_by_membership.get(membership.pk)
        used = spent.get(membership.user_id, Decimal(0))
        rows.append(
            {
                "membership": membership,
                "limit": limit.monthly_limit if limit else None,
                "spent": used,
                "left": max(limit.monthly_limit - used, Decimal(0)) if limit else None,
            }
        )
    return {"rows": rows, "status": budget_status(team=request.team)}


@team_admin_required
@require_POST
def member_limit(request: HttpRequest, public_id: str) -> HttpResponse:
    membership = membership_in_team(team=request.team, public_id=public_id)
    form = MemberLimitForm(request.POST)
    if form.is_valid():
        member_limit_set(membership=membership, actor=request.user, monthly_limit=form.cleaned_data["monthly_limit"])
        if not request.htmx:
            messages.success(request, f"Saved {membership.user.username}'s limit.")
    elif not request.htmx:
        messages.error(request, f"{membership.user.username}'s limit: {form.errors.as_text()}")
    if request.htmx:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        context = {**_member_limits_context(request), "error_for": membership.public_id, "error_text": error}
        return render(request, "billing/limits.html#member-limits", context)
    return redirect("team:limits")


@team_admin_required
@require_GET
def ledger_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The ledger as CSV, with the ledger page's filters."""
    _, filters = _ledger_filters(request)
    entries = ledger_filtered(team=request.team, **filters)
    return csv_response(ledger_rows(entries), f"{request.team.slug}-ledger.csv")
