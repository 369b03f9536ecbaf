"""Writes for users and teams."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.audit import audit_record
from accounts.models import Invite, Membership, Role, Team, User
from accounts.principal import principal_forget_team
from accounts.signals import team_created
from project.ids import public_id


def _unique_slug(name: str) -> str:
    base = slugify(name)[:60] or "team"
    slug = base
    while Team.objects.filter(slug=slug).exists():
        slug = f"{base}-{public_id('x')[2:8].lower()}"
    return slug


@transaction.atomic
def team_create(*, name: str, owner: User, personal: bool = False, slug: str | None = None) -> Team:
    team = Team.objects.create(name=name, slug=slug or _unique_slug(name), personal=personal)
    Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    team_created.send(sender=Team, team=team)  # billing.receivers.team_wallet_create
    return team


@transaction.atomic
def user_signup(*, username: str, email: str, password: str) -> User:
    """Create a user with a personal team of their own."""
    user = User.objects.create_user(username=username, email=email, password=password)
    team_create(name=f"{username}'s team", owner=user, personal=True)
    return user


def membership_add(*, team: Team, user: User, role: str = Role.MEMBER) -> Membership:
    membership, _ = Membership.objects.get_or_create(team=team, user=user, defaults={"role": role})
    return membership


# --- team administration ----------------------------------------------------------

INVITE_TTL = timedelta(days=7)


class TeamAdminError(Exception):
    """A team change the rules refuse (the message says why, for the person who tried)."""


class InviteError(Exception):
    """An invite link that can't be used (expired, used, revoked, meant for someone else)."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def roles_grantable(actor_role: str) -> set[str]:
    """Owners hand out any role; admins make members and admins; members manage nobody."""
    if actor_role == Role.OWNER:
        return {Role.OWNER, Role.ADMIN, Role.MEMBER}
    if actor_role == Role.ADMIN:
        return {Role.ADMIN, Role.MEMBER}
    return set()


def _team_locked(team: Team) -> Team:
    """Lock the team row: membership changes of one team run one after another (the last-owner rule)."""
    return Team.objects.select_for_update().get(pk=team.pk)


def _actor_role(team: Team, actor: User) -> str:
    role = Membership.objects.filter(team=team, user=actor).values_list("role", flat=True).first()
    if role is None:
        raise TeamAdminError("You are not a member of this team.")
    return role


@transaction.atomic
def invite_create(
    *, team: Team, actor: User, role: str = Role.MEMBER, email: str = "", ttl: timedelta = INVITE_TTL
) -> tuple[Invite, str]:
    """Make a single-use invite link. Returns the invite and its token, which is shown once and never stored."""
    if role not in roles_grantable(_actor_role(team, actor)):
        raise TeamAdminError(f"You can't invite someone as {Role(role).label.lower()}.")
    token = secrets.token_urlsafe(32)
    invite = Invite.objects.create(
        team=team,
        role=role,
        email=email.strip().lower(),
        token_hash=_token_hash(token),
        created_by=actor,
        expires_at=timezone.now() + ttl,
    )
    audit_record(
        action="invite.create",
        team=team,
        actor=actor,
        summary=f"Invited {invite.email or 'someone with the link'} as {invite.get_role_display().lower()}",
        detail={"invite": invite.public_id, "role": role, "email": invite.email},
    )
    return invite, token


def invite_email_send(*, invite: Invite, link: str) -> None:
    """Email an email-bound invite's link to its address: only that mailbox ever sees the link, so opening
    it is the proof the person owns the address (it is not shown to whoever made the invite)."""
    send_mail(
        subject=f"Join {invite.team.name} at the studio",
        message=(
            f"{invite.created_by.username} invited you to join {invite.team.name} at the studio "
            f"as {invite.get_role_display().lower()}.\n\n"
            f"Accept here (the link works once, until {invite.expires_at:%Y-%m-%d %H:%M} UTC):\n{link}\n\n"
            f"Sign in or create an account with this address ({invite.email}) to accept it.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invite.email],
    )


def invite_for_token(*, token: str) -> Invite | None:
    return Invite.objects.select_related("team", "created_by").filter(token_hash=_token_hash(token)).first()


@transaction.atomic
def invite_accept(*, token: str, user: User) -> Membership:
    """Join the invite's team. The link works once: a conditional update claims it."""
    invite = invite_for_token(token=token)
    if invite is None:
        raise InviteError("This invite link is not valid.")
    if invite.email and invite.email != user.email.lower():
        raise InviteError(f"This invite is for {invite.email}. Log in with that account to accept it.")
    existing = Membership.objects.filter(team=invite.team, user=user).first()
    if existing:
        raise InviteError(f"You are already a member of {invite.team.name}.")
    now = timezone.now()
    claimed = Invite.objects.filter(
        pk=invite.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now, accepted_by=user)
    if not claimed:
        invite.refresh_from_db()
        reason = {"accepted": "has already been used", "revoked": "was revoked", "expired": "has expired"}
        raise InviteError(f"This invite link {reason.get(invite.state, 'is not valid')}.")
    _team_locked(invite.team)
    membership = Membership.objects.create(team=invite.team, user=user, role=invite.role)
    if invite.email and user.email_verified_at is None:  # the emailed link reached this address's owner
        user.email_verified_at = now
        user.save(update_fields=["email_verified_at"])
    audit_record(
        action="member.join",
        team=invite.team,
        actor=user,
        summary=f"{user.username} joined as {membership.get_role_display().lower()} (invited by {invite.created_by.username})",
        detail={"invite": invite.public_id, "member": membership.public_id, "email_verified": bool(invite.email)},
    )
    return membership


@transaction.atomic
def invite_revoke(*, invite: Invite, actor: User) -> bool:
    if not roles_grantable(_actor_role(invite.team, actor)):
        raise TeamAdminError("Only owners and admins can revoke invites.")
    revoked = Invite.objects.filter(pk=invite.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit_record(
            action="invite.revoke",
            team=invite.team,
            actor=actor,
            summary=f"Revoked the invite for {invite.email or 'a link'} ({invite.public_id})",
            detail={"invite": invite.public_id},
        )
    return bool(revoked)


def _other_owners(membership: Membership) -> int:
    return Membership.objects.filter(team=membership.team, role=Role.OWNER).exclude(pk=membership.pk).count()


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str, actor: User) -> Membership:
    """Change a member's role. Admins can't touch owners or make owners; a team always keeps an owner."""
    if role not in Role.values:
        raise TeamAdminError("Unknown role.")
    _team_locked(membership.team)
    membership = Membership.objects.select_related("team", "user").get(pk=membership.pk)
    grantable = roles_grantable(_actor_role(membership.team, actor))
    if not grantable:
        raise TeamAdminError("Only owners and admins can change roles.")
    if role not in grantable or membership.role not in grantable:
        raise TeamAdminError("Only an owner can change an owner's role or make someone an owner.")
    if membership.role == role:
        return membership
    if membership.role == Role.OWNER and not _other_owners(membership):
        raise TeamAdminError(f"{membership.user.username} is the last owner. Make someone else an owner first.")
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        action="member.role",
        team=membership.team,
        actor=actor,
        summary=f"Changed {membership.user.username}'s role from {before} to {role}",
        detail={"member": membership.public_id, "before": before, "after": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    """Remove a member (or, when ``actor`` is that member, leave). The last owner can't go."""
    _team_locked(membership.team)
    membership = Membership.objects.select_related("team", "user").get(pk=membership.pk)
    leaving = membership.user_id == actor.pk
    if not leaving:
        grantable = roles_grantable(_actor_role(membership.team, actor))
        if not grantable:
            raise TeamAdminError("Only owners and admins can remove members.")
        if membership.role not in grantable:
            raise TeamAdminError("Only an owner can remove an owner.")
    if membership.role == Role.OWNER and not _other_owners(membership):
        raise TeamAdminError(
            "You are the last owner: make someone else an owner before leaving."
            if leaving
            else f"{membership.user.username} is the last owner and can't be removed."
        )
    username = membership.user.username
    audit_record(
        action="member.leave" if leaving else "member.remove",
        team=membership.team,
        actor=actor,
        summary=f"{username} left the team" if leaving else f"Removed {username} from the team",
        detail={"member": membership.public_id, "role": membership.role},
    )
    membership.delete()


class JobsCapError(ValueError):
    """A cap on jobs in flight out of range."""


JOBS_CAP_MAX = 100


def team_jobs_cap_set(*, team: Team, actor: User, cap: int | None) -> None:
    """Cap how many of the team's jobs are at the providers at once (owners; None lifts the cap). The
    caller starts the waiting jobs the new cap lets through (generations.services.pipeline.team_slots_fill)."""
    if cap is not None and not 1 <= cap <= JOBS_CAP_MAX:
        raise JobsCapError(f"Choose 1 to {JOBS_CAP_MAX} jobs at once, or leave it empty for no cap.")
    before = team.jobs_in_flight_cap
    Team.objects.filter(pk=team.pk).update(jobs_in_flight_cap=cap)
    team.jobs_in_flight_cap = cap
    principal_forget_team(team)  # members' cached teams hold the old setting
    audit_record(
        team=team,
        actor=actor,
        action="team.jobs_cap",
        summary=f"Jobs in flight capped at {cap}" if cap is not None else "Cap on jobs in flight lifted",
        detail={"before": before, "after": cap},
    )


def team_failover_set(*, team: Team, actor: User, enabled: bool) -> None:
    """Turn provider failover on or off for a team (owners and admins)."""
    Team.objects.filter(pk=team.pk).update(failover_enabled=enabled)
    team.failover_enabled = enabled
    principal_forget_team(team)  # members' cached teams hold the old setting
    audit_record(
        team=team,
        actor=actor,
        action="team.failover",
        summary=f"Provider failover turned {'on' if enabled else 'off'}",
        detail={"enabled": enabled},
    )
