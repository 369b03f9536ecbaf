from __future__ import annotations

from functools import partial

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from project.ids import public_id


class User(AbstractUser):
    """The studio's user. Email is the address for password resets."""

    email = models.EmailField(unique=True, blank=False)
    # When the person proved they read this address: by accepting an invite link the studio emailed to it.
    email_verified_at = models.DateTimeField(null=True, blank=True)


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class Team(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=partial(public_id, "team"), editable=False)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    personal = models.BooleanField(default=False)
    # When a provider refuses a job before accepting it, move it to another provider of the same model.
    failover_enabled = models.BooleanField(default=False)
    # At most this many of the team's jobs at the providers at once (owners set it; NULL: no cap). Jobs
    # above it wait in the studio's own queue and start in order as slots free (generations.slots).
    jobs_in_flight_cap = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(User, through="Membership", related_name="teams")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(jobs_in_flight_cap__isnull=True)
                | models.Q(jobs_in_flight_cap__gte=1, jobs_in_flight_cap__lte=100),
                name="team_jobs_in_flight_cap_1_to_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=partial(public_id, "mem"), editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="membership_unique_team_user")]
        ordering = ["team__name"]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"

    @property
    def can_manage(self) -> bool:
        return self.role in {Role.OWNER, Role.ADMIN}


class Invite(models.Model):
    """A single-use, expiring link that makes whoever opens it a member of a team.

    Only a hash of the token is stored: the link is shown once, to the person
    who created it. With ``email`` set, the link is emailed to that address
    instead (the link is the proof of the address), and only the account with
    that address can use it; accepting it marks the address verified.
    """

    public_id = models.CharField(max_length=32, unique=True, default=partial(public_id, "inv"), editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invites")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    email = models.EmailField(blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True, accepted_by__isnull=True)
                | Q(accepted_at__isnull=False, accepted_by__isnull=False),
                name="invite_accepted_by_whom",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True), name="invite_used_or_revoked"
            ),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="invite_expires_later"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} to {self.team} as {self.role}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class AuditEvent(models.Model):
    """Who did what to a team or to the studio's settings. Append-only (a trigger refuses changes)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events")
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=40, db_index=True)
    summary = models.CharField(max_length=300)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.summary
