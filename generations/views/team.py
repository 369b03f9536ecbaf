"""The team's cap on jobs in flight (owners set it; see generations.slots)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import team_admin_required
from accounts.models import Role
from accounts.services import JobsCapError, team_jobs_cap_set
from generations.services.pipeline import team_slots_fill
from generations.slots import jobs_waiting, slots_in_use
from generations.views.common import _fragment


@team_admin_required
@require_GET
def jobs_in_flight(request: HttpRequest) -> HttpResponse:
    """How many of the team's jobs are at the providers now and how many wait for a slot (the limits page)."""
    context = {
        "in_flight": slots_in_use(team_id=request.team.pk),
        "waiting": jobs_waiting(team_id=request.team.pk),
        "cap": request.team.jobs_in_flight_cap,
    }
    return _fragment(request, "generations/_jobs_in_flight.html", context)


@team_admin_required
@require_POST
def jobs_cap(request: HttpRequest) -> HttpResponse:
    """Set or lift the cap (owners only); waiting jobs the new cap lets through start at once."""
    if request.membership.role != Role.OWNER:
        raise PermissionDenied("Only the team's owners can cap its jobs in flight.")
    raw = request.POST.get("cap", "").strip()
    try:
        cap = int(raw) if raw else None
        team_jobs_cap_set(team=request.team, actor=request.user, cap=cap)
    except (ValueError, JobsCapError) as exc:
        message = str(exc) if isinstance(exc, JobsCapError) else "Give a whole number of jobs, or leave it empty."
        messages.error(request, message)
        return redirect("team:limits")
    started = team_slots_fill(team_id=request.team.pk)
    if cap is None:
        note = "No cap on jobs in flight."
    else:
        note = f"At most {cap} job{'s' if cap != 1 else ''} at the providers at once."
    if started:
        note += f" {started} waiting job{'s' if started != 1 else ''} started."
    messages.success(request, note)
    return redirect("team:limits")
