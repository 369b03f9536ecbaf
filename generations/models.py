"""Generations (one job on one provider) and the files they produced.

The generation row is the source of truth for a job: its status, the
provider's job id, a lease saying which worker is advancing it until when,
and when it should next be looked at. Status changes are conditional updates
from an expected status (see generations.services), so two workers can't both
advance the same job.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Lower

from billing.models import CREDITS, JobRef
from project.ids import public_id


class Status(models.TextChoices):
    # In the studio's own queue: the team's cap on jobs in flight is reached (generations.slots).
    WAITING = "waiting", "Waiting for a slot"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DOWNLOADING = "downloading", "Saving results"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATUSES = (Status.WAITING, Status.QUEUED, Status.RUNNING, Status.DOWNLOADING)
# The jobs that hold one of the team's slots: everything active but those waiting for one.
IN_FLIGHT_STATUSES = (Status.QUEUED, Status.RUNNING, Status.DOWNLOADING)
FINAL_STATUSES = (Status.COMPLETED, Status.FAILED, Status.CANCELLED)


class Comparison(models.Model):
    """One prompt run through several offers at once (up to six), to look at the results side by side.

    Its jobs are ordinary generations (``Generation.comparison``), each quoted and held on its own; the
    comparison is created with all of them in one transaction, or not at all (generations.compare).
    """

    public_id = models.CharField(max_length=32, unique=True, default=partial(public_id, "cmp"), editable=False)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="comparisons")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comparisons")
    prompt = models.TextField(blank=True)
    # The shared settings it was asked with (by shared meaning: duration, aspect_ratio, ...); each job
    # holds its own fitted parameters.
    shared = models.JSONField(default=dict, blank=True)
    # NULL, not "", when absent: the unique constraint only covers given keys.
    idempotency_key = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="comparison_unique_idempotency_key",
            ),
        ]
        indexes = [models.Index(fields=["team", "-created_at"], name="comparison_team_recent")]

    def __str__(self) -> str:
        return self.public_id


class Batch(models.Model):
    """Several variations of one request (2 to 8 jobs with the same settings, the seed varied where the
    model has one), submitted as one piece of work.

    Its jobs are ordinary generations (``Generation.batch``), each quoted and held on its own, so a
    failure releases only its own part; the batch is created with all of them in one transaction, or
    not at all (generations.batches).
    """

    public_id = models.CharField(max_length=32, unique=True, default=partial(public_id, "bat"), editable=False)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="batches")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="batches")
    offer = models.ForeignKey("catalog.Offer", on_delete=models.PROTECT, related_name="batches")
    prompt = models.TextField(blank=True)
    # The settings it was asked with, before each job's seed was set: what "run again" submits.
    params = models.JSONField(default=dict)
    count = models.PositiveSmallIntegerField()
    # NULL, not "", when absent: the unique constraint only covers given keys.
    idempotency_key = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="batch_unique_idempotency_key",
            ),
            models.CheckConstraint(condition=Q(count__gte=1, count__lte=8), name="batch_count_1_to_8"),
        ]
        indexes = [models.Index(fields=["team", "-created_at"], name="batch_team_recent")]

    def __str__(self) -> str:
        return self.public_id


class Generation(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=partial(public_id, "gen"), editable=False)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="generations")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="generations")
    offer = models.ForeignKey("catalog.Offer", on_delete=models.PROTECT, related_name="generations")
    prompt = models.TextField(blank=True)
    params = models.JSONField(default=dict)
    # The comparison it is one cell of (generations.compare), if any.
    comparison = models.ForeignKey(
        Comparison, on_delete=models.SET_NULL, null=True, blank=True, related_name="generations"
    )
    # The batch it is one variation of (generations.batches), and which one (0-based), if any.
    batch = models.ForeignKey(Batch, on_delete=models.SET_NULL, null=True, blank=True, related_name="generations")
    batch_index = models.PositiveSmallIntegerField(null=True, blank=True)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    provider_job_id = models.CharField(max_length=200, blank=True)
    # Providers that refused this job before it moved to its current offer (team failover).
    providers_tried = models.JSONField(default=list, blank=True)
    # Each such move, for the job's receipt: {"at", "from", "to" (offer keys), "why", "credits_before", "credits_after"}.
    moves = models.JSONField(default=list, blank=True)
    # What came back against what was asked and paid for (generations.delivery), checked once the files are
    # stored: [{"what", "asked", "got"}], empty when it matched.
    delivery_issues = models.JSONField(default=list, blank=True)
    delivery_checked_at = models.DateTimeField(null=True, blank=True)
    result_urls = models.JSONField(default=list, blank=True)
    error_code = models.CharField(max_length=80, blank=True)
    error_message = models.TextField(blank=True)

    provider_cost = models.DecimalField(max_digits=14, decimal_places=4)
    credits_quoted = models.DecimalField(**CREDITS)
    # The provider's rate and the markup the quote was made at (staff may change them later); NULL on older jobs.
    credit_rate = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    markup = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)
    credits_charged = models.DecimalField(**CREDITS, null=True, blank=True)
    breakdown = models.CharField(max_length=300, blank=True)
    # Said before submit when the docs price the request only as a range: the top is what is charged.
    charge_note = models.TextField(blank=True)
    # The cost the provider reported when it accepted the job, in its unit (Kubeez' estimated_cost_credits);
    # kept to compare with what the studio charged, never to charge more than the hold.
    provider_cost_reported = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)

    # Set just before the provider is asked to start the job: a job found with this
    # set and no provider_job_id may or may not have been accepted (see services).
    submit_started_at = models.DateTimeField(null=True, blank=True)
    webhook_token = models.CharField(max_length=64, unique=True, default=partial(secrets.token_urlsafe, 32))
    attempts = models.PositiveSmallIntegerField(default=0)
    polls = models.PositiveIntegerField(default=0)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField()

    # NULL, not "", when absent: the unique constraint only covers given keys.
    idempotency_key = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Deleting hides a generation at once (every read filters on this); a task removes its files later.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="generation_unique_idempotency_key",
            ),
            models.CheckConstraint(condition=Q(credits_quoted__gt=0), name="generation_quote_positive"),
            models.CheckConstraint(
                condition=Q(credits_charged__isnull=True) | Q(credits_charged__lte=models.F("credits_quoted")),
                name="generation_charge_within_quote",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "-created_at"], name="generation_team_recent"),
            models.Index(
                fields=["next_check_at"], name="generation_active_due", condition=Q(status__in=ACTIVE_STATUSES)
            ),
            # The staff's list of deliveries that did not match what was paid for.
            models.Index(fields=["-finished_at"], name="generation_delivery_issues", condition=~Q(delivery_issues=[])),
            # The offers' health of the last 24 hours (generations.health) reads only jobs finished since then.
            models.Index(
                fields=["finished_at"], name="generation_finished_recent", condition=Q(finished_at__isnull=False)
            ),
            # Full-text search on prompts; the gallery filters on exactly this expression (PROMPT_SEARCH_VECTOR).
            # No pending list (fastupdate off): new jobs go straight into the index, so a search never reads
            # an unsorted list of recent entries first (2.2 of a 4.6 ms search on 10,000 jobs, before VACUUM).
            GinIndex(SearchVector("prompt", config="english"), name="generation_prompt_search", fastupdate=False),
            # A capped team's queue (generations.slots): its waiting jobs, oldest first.
            models.Index(fields=["team", "id"], name="generation_waiting", condition=Q(status="waiting")),
            # The gallery sorted by cost (generations.selectors._COST, then newest): a page reads 49 index
            # entries instead of sorting every generation of the team.
            models.Index(
                "team",
                Coalesce("credits_charged", "credits_quoted").desc(),
                models.F("created_at").desc(),
                models.F("public_id").desc(),
                name="generation_team_cost",
                condition=Q(deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def charged_or_held(self) -> Decimal:
        return self.credits_charged if self.credits_charged is not None else self.credits_quoted

    @property
    def ledger_ref(self) -> JobRef:
        """This job as the ledger records it (billing holds and charges it by these plain values)."""
        return JobRef(
            id=self.pk,
            public_id=self.public_id,
            member_id=self.created_by_id,
            offer_key=self.offer.key,
            provider_slug=self.offer.provider.slug,
        )


class Asset(models.Model):
    """One output file of a generation, stored in the studio's own storage."""

    public_id = models.CharField(max_length=32, unique=True, default=partial(public_id, "ast"), editable=False)
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="assets")
    index = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10)  # image | video | audio | text
    file = models.FileField(upload_to="outputs/%Y/%m/")
    thumbnail = models.FileField(upload_to="thumbnails/%Y/%m/", blank=True)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    has_audio = models.BooleanField(null=True, blank=True)  # a video's audio track; NULL where it does not apply
    source_url = models.URLField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["generation", "index"]
        constraints = [models.UniqueConstraint(fields=["generation", "index"], name="asset_unique_index")]

    def __str__(self) -> str:
        return self.filename


class Favourite(models.Model):
    """A member's mark on a generation they want to find again (favourites are personal)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites")
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "generation"], name="favourite_unique_user_generation")]

    def __str__(self) -> str:
        return f"{self.user_id} ★ {self.generation_id}"


class Board(models.Model):
    """A named collection of a team's generations (a mood board, a client's picks)."""

    public_id = models.CharField(max_length=32, unique=True, default=partial(public_id, "brd"), editable=False)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="boards")
    name = models.CharField(max_length=80)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    generations = models.ManyToManyField(Generation, through="BoardItem", related_name="boards")

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(Lower("name"), "team", name="board_unique_name_per_team"),
            models.CheckConstraint(condition=~Q(name=""), name="board_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class BoardItem(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="items")
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="board_items")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "generation"], name="board_item_unique")]
        indexes = [models.Index(fields=["board", "-created_at"], name="board_item_recent")]

    def __str__(self) -> str:
        return f"{self.board_id}: {self.generation_id}"


class SourceMedia(models.Model):
    """A file a team member uploaded to start a generation from (checked by content on upload)."""

    public_id = models.CharField(max_length=32, unique=True, default=partial(public_id, "src"), editable=False)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="source_media")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="sources/%Y/%m/")
    kind = models.CharField(max_length=10)  # image | video | audio
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64)  # the same bytes uploaded twice by a team are kept once
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "source media"
        constraints = [models.UniqueConstraint(fields=["team", "sha256"], name="source_media_unique_per_team")]

    def __str__(self) -> str:
        return self.original_name or self.public_id


class ProviderAccountReading(models.Model):
    """What a provider's own account said at one moment (Kubeez get_balance), for reconciliation.

    Append-only: a reading is never changed. Providers whose docs offer no account figure have none
    (see generations.reconcile.ACCOUNT_SOURCES).
    """

    provider = models.SlugField(max_length=20)
    read_at = models.DateTimeField(db_index=True)
    balance = models.DecimalField(max_digits=16, decimal_places=4)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["provider", "read_at"]
        indexes = [models.Index(fields=["provider", "read_at"], name="account_reading_provider_time")]

    def __str__(self) -> str:
        return f"{self.provider} {self.balance} at {self.read_at:%Y-%m-%d %H:%M}"
