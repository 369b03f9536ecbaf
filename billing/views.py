from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import team_member_required
from billing.selectors import ledger_for_team


@team_member_required
def ledger(request: HttpRequest) -> HttpResponse:
    entries = ledger_for_team(team=request.team)[:200]
    return render(request, "billing/ledger.html", {"entries": entries})
