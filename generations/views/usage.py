"""The team's usage page and generations export (/team/usage/…, namespace ``team``; reads: generations.usage)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.decorators import team_admin_required
from billing.forms import DateRangeForm
from billing.selectors import wallet_for_team
from generations.usage import generation_rows, generations_for_export, team_usage
from project.csv_export import csv_response


@team_admin_required
@require_GET
def usage(request: HttpRequest) -> HttpResponse:
    """Spend by day (a chart), by model, provider and member over a range of days."""
    form = DateRangeForm(request.GET or None)
    start, end = form.range()
    if not form.is_bound:
        form = DateRangeForm(initial={"start": start, "end": end})
    report = team_usage(team=request.team, start=start, end=end)
    context = {
        "form": form,
        "report": report,
        "start": start,
        "end": end,
        "wallet": wallet_for_team(team=request.team),
    }
    template = "billing/usage.html#report" if request.htmx else "billing/usage.html"
    return render(request, template, context)


@team_admin_required
@require_GET
def generations_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Every generation submitted in the range, as CSV."""
    start, end = DateRangeForm(request.GET or None).range()
    generations = generations_for_export(team=request.team, start=start, end=end)
    return csv_response(generation_rows(generations), f"{request.team.slug}-generations-{start}-{end}.csv")
