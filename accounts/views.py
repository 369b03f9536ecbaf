from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import team_admin_required, team_member_required
from accounts.forms import InviteForm, RoleForm, SignupForm
from accounts.lockouts import password_reset_throttled
from accounts.middleware import SESSION_KEY
from accounts.models import Role
from accounts.navigation import local_next
from accounts.selectors import (
    audit_for_team,
    invite_in_team,
    invites_pending,
    members_for_team,
    membership_in_team,
    memberships_for_user,
)
from accounts.services import (
    InviteError,
    TeamAdminError,
    invite_accept,
    invite_create,
    invite_email_send,
    invite_for_token,
    invite_revoke,
    membership_remove,
    membership_role_change,
    roles_grantable,
    user_signup,
)


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_signup(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to the studio. Your personal team is ready.")
        # back to the invite link that brought them here, if that is where they came from
        return redirect(local_next(request, request.POST.get("next", ""), reverse("generations:gallery")))
    return render(request, "accounts/signup.html", {"form": form, "next": request.GET.get("next", "")})


@login_required
@require_POST
def team_switch(request: HttpRequest) -> HttpResponse:
    slug = request.POST.get("team", "")
    membership = memberships_for_user(user=request.user).filter(team__slug=slug).first()
    if membership is None:
        messages.error(request, "You are not a member of that team.")
    else:
        request.session[SESSION_KEY] = membership.team.slug
        messages.success(request, f"Now working in {membership.team.name}.")
    return redirect(local_next(request, request.POST.get("next", ""), "/"))


# --- team administration ----------------------------------------------------------


def _members_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    roles = roles_grantable(request.membership.role)
    return {
        "members": members_for_team(team=request.team),
        "invites": invites_pending(team=request.team),
        "events": audit_for_team(team=request.team)[:20],
        "invite_form": InviteForm(roles=roles),
        "grantable": roles,
        "roles": Role.choices,
        **extra,
    }


@team_admin_required
@require_GET
def members(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/members.html", _members_context(request))


@team_admin_required
@require_POST
def members_invite(request: HttpRequest) -> HttpResponse:
    """Make an invite link and show it once (only its hash is kept)."""
    form = InviteForm(request.POST, roles=roles_grantable(request.membership.role))
    link = sent_to = None
    if form.is_valid():
        try:
            invite, token = invite_create(
                team=request.team,
                actor=request.user,
                role=form.cleaned_data["role"],
                email=form.cleaned_data["email"],
                ttl=timedelta(days=form.cleaned_data["days"]),
            )
        except TeamAdminError as exc:
            form.add_error(None, str(exc))
        else:
            link = request.build_absolute_uri(reverse("team:join", args=[token]))
            if invite.email:  # the link goes only to that mailbox: opening it proves the address
                invite_email_send(invite=invite, link=link)
                sent_to, link = invite.email, None
    context = _members_context(request, new_invite_link=link, invite_sent_to=sent_to)
    if not (link or sent_to):
        context["invite_form"] = form
    template = "accounts/members.html#invites" if request.htmx else "accounts/members.html"
    # htmx swaps only 2xx answers, so the form with its errors goes back as 200 there
    return render(request, template, context, status=200 if link or sent_to or request.htmx else 422)


@team_admin_required
@require_POST
def members_invite_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    invite = invite_in_team(team=request.team, public_id=public_id)
    revoked = invite_revoke(invite=invite, actor=request.user)
    if request.htmx:
        return render(request, "accounts/members.html#invites", _members_context(request))
    if revoked:
        messages.success(request, "Invite revoked: its link no longer works.")
    return redirect("team:members")


def _after_member_change(request: HttpRequest, error: str = "") -> HttpResponse:
    if request.htmx:
        return render(request, "accounts/members.html#member-list", _members_context(request, error=error))
    if error:
        messages.error(request, error)
    return redirect("team:members")


@team_admin_required
@require_POST
def member_role(request: HttpRequest, public_id: str) -> HttpResponse:
    membership = membership_in_team(team=request.team, public_id=public_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _after_member_change(request, "Choose a role.")
    try:
        membership_role_change(membership=membership, role=form.cleaned_data["role"], actor=request.user)
    except TeamAdminError as exc:
        return _after_member_change(request, str(exc))
    if membership.user_id == request.user.pk and form.cleaned_data["role"] == Role.MEMBER:
        messages.success(request, "You are now a member of this team; its admin pages are closed to you.")
        return _leave_admin_pages(request)
    if not request.htmx:
        messages.success(request, f"{membership.user.username} is now {form.cleaned_data['role']}.")
    return _after_member_change(request)


@team_admin_required
@require_POST
def member_remove(request: HttpRequest, public_id: str) -> HttpResponse:
    membership = membership_in_team(team=request.team, public_id=public_id)
    if membership.user_id == request.user.pk:
        return team_leave(request)
    try:
        membership_remove(membership=membership, actor=request.user)
    except TeamAdminError as exc:
        return _after_member_change(request, str(exc))
    if not request.htmx:
        messages.success(request, f"Removed {membership.user.username} from {request.team.name}.")
    return _after_member_change(request)


def _leave_admin_pages(request: HttpRequest) -> HttpResponse:
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("generations:gallery")
        return response
    return redirect("generations:gallery")


@team_member_required
@require_POST
def team_leave(request: HttpRequest) -> HttpResponse:
    """Leave the current team; the last owner can't."""
    team = request.team
    try:
        membership_remove(membership=request.membership, actor=request.user)
    except TeamAdminError as exc:
        messages.error(request, str(exc))
        return redirect("team:members" if request.membership.can_manage else "generations:gallery")
    request.session.pop(SESSION_KEY, None)
    messages.success(request, f"You left {team.name}.")
    return _leave_admin_pages(request)


@require_http_methods(["GET", "POST"])
def invite_join(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invite link opens: log in or sign up, then accept."""
    invite = invite_for_token(token=token)
    error = ""
    if invite is None:
        error = "This invite link is not valid."
    elif invite.state != "pending":
        error = {
            "accepted": "This invite link has already been used.",
            "revoked": "This invite link was revoked.",
            "expired": "This invite link has expired. Ask for a new one.",
        }[invite.state]
    if request.method == "POST" and not error:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        try:
            membership = invite_accept(token=token, user=request.user)
        except InviteError as exc:
            error = str(exc)
        else:
            request.session[SESSION_KEY] = membership.team.slug
            messages.success(request, f"Welcome to {membership.team.name}.")
            return redirect("generations:gallery")
    return render(
        request,
        "accounts/join.html",
        {"invite": invite, "error": error, "next": request.path},
        status=404 if invite is None else 200,
    )


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, limited per address and per email (accounts.lockouts): a 429 page past it."""

    def form_valid(self, form):
        refused = password_reset_throttled(self.request, email=form.cleaned_data["email"])
        return refused if refused is not None else super().form_valid(form)
