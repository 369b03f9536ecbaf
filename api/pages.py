"""The studio's pages for the API: managing keys, and the docs."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import team_member_required
from api.forms import ApiKeyForm
from api.models import ApiKey
from api.selectors import api_key_for_member, api_keys_for_member
from api.services import api_key_create, api_key_revoke


def _key_for_member(request: HttpRequest, public_id: str) -> ApiKey:
    """A key the member may manage (their own, or any of the team's for an owner or admin), else 404."""
    api_key = api_key_for_member(membership=request.membership, public_id=public_id)
    if api_key is None:
        raise Http404("No such key")
    return api_key


@team_member_required
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        new_key = api_key_create(team=request.team, user=request.user, name=form.cleaned_data["name"])
        form = ApiKeyForm()
    context = {
        "form": form,
        "new_key": new_key,
        "keys": api_keys_for_member(membership=request.membership),
        "manager": request.membership.can_manage,
    }
    response = render(request, "api/keys.html", context)
    response["Cache-Control"] = "no-store"  # the page may hold a key shown once
    return response


@team_member_required
@require_POST
def api_key_revoke_view(request: HttpRequest, public_id: str) -> HttpResponse:
    api_key = _key_for_member(request, public_id)
    if api_key_revoke(api_key=api_key, actor=request.user):
        messages.success(request, f"Revoked “{api_key.name}”. Requests with it are refused from now on.")
    return redirect("api_keys:index")
