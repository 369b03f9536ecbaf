"""API keys, and what the API remembers about the generations it submitted.

A key is shown once: the studio keeps its visible prefix (to find it) and a
SHA-256 of the whole key (to check it). Each key also has its own secret for
signing the callbacks of the generations submitted with it.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import models
from django.db.models import Q

from project.ids import public_id


class ApiKey(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=partial(public_id, "key"), editable=False)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="api_keys")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=24, unique=True, help_text="The start of the key, shown to tell keys apart")
    secret_hash = models.CharField(max_length=64, help_text="SHA-256 of the whole key, hex")
    callback_secret = models.CharField(max_length=80, help_text="Signs this key's outgoing callbacks")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="api_key_revoked_after_created",
            ),
        ]
        indexes = [models.Index(fields=["team", "user"], name="api_key_team_user")]

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix})"

    @property
    def display_prefix(self) -> str:
        return f"{self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CallbackState(models.TextChoices):
    NONE = "none", "No callback"
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class ApiSubmission(models.Model):
    """A generation submitted through the API: which key, the request's fingerprint, its callback."""

    generation = models.OneToOneField("generations.Generation", on_delete=models.CASCADE, related_name="api_submission")
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="submissions")
    # SHA-256 of the canonical request body: an Idempotency-Key replay must match it.
    request_hash = models.CharField(max_length=64)
    callback_url = models.URLField(max_length=2000, blank=True)
    # The scheme and host the client called, for the absolute URLs in a callback (sent from a worker).
    base_url = models.URLField(max_length=300)
    callback_state = models.CharField(max_length=10, choices=CallbackState.choices, default=CallbackState.NONE)
    callback_attempts = models.PositiveSmallIntegerField(default=0)
    callback_last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    callback_last_error = models.CharField(max_length=300, blank=True)
    callback_delivered_at = models.DateTimeField(null=True, blank=True)
    # When the next try is due (None: as soon as the generation finished); the sweep finds lost tries by it.
    callback_next_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(callback_url="", callback_state="none") | (~Q(callback_url="") & ~Q(callback_state="none")),
                name="api_submission_callback_state_matches_url",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.generation_id} via {self.api_key_id}"
