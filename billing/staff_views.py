"""The studio operators' pages: find a team, move its credits (prices: catalog.staff_views)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import staff_required
from accounts.selectors import audit_for_team, members_for_team
from billing.forms import StaffCreditForm
from billing.selectors import ledger_for_team, team_for_staff, teams_running_out, teams_search
from billing.services import BillingError, CreditsTooLarge, credits_deduct, credits_grant


@staff_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    context = {
        "query": query,
        "results": teams_search(query=query) if query else None,
        "running_out": teams_running_out(),
    }
    template = "staff/home.html#results" if request.htmx else "staff/home.html"
    return render(request, template, context)


def _team_context(team, form: StaffCreditForm | None = None) -> dict:
    return {
        "team": team,
        "form": form or StaffCreditForm(),
        "entries": ledger_for_team(team=team)[:100],
        "members": members_for_team(team=team),
        "events": audit_for_team(team=team)[:30],
    }


@staff_required
@require_http_methods(["GET", "POST"])
def team_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """A team's balance, members, ledger and audit log; POST grants or deducts credits."""
    team = team_for_staff(public_id=public_id)
    if request.method == "GET":
        return render(request, "staff/team.html", _team_context(team))
    form = StaffCreditForm(request.POST, balance=team.wallet.balance)
    if form.is_valid():
        data = form.cleaned_data
        move = credits_grant if data["direction"] == "grant" else credits_deduct
        try:
            move(
                team=team,
                amount=data["amount"],
                reason=data["reason"],
                actor=request.user,
                idempotency_key=data["idempotency_key"],
            )
        except CreditsTooLarge as exc:  # the balance grew since the form was checked
            form.add_error("amount", str(exc))
        except BillingError as exc:
            form.add_error(None, str(exc))
        else:
            verb = "Granted" if data["direction"] == "grant" else "Deducted"
            messages.success(
                request, f"{verb} {data['amount']} credits {'to' if verb == 'Granted' else 'from'} {team.name}."
            )
            return redirect("staff:team", public_id=team.public_id)
    return render(request, "staff/team.html", _team_context(team, form), status=422)
