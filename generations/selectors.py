"""Reads for generations, always scoped to one team.

Every read hides deleted generations. Pages of the gallery cost a fixed number
of queries: the relations a card shows are joined or prefetched, and whether
the viewer marked a card as a favourite is an ``EXISTS`` in the same query.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.cache import cache
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict
from django.utils import timezone

from accounts.models import Membership, Team, User
from billing.models import EntryKind, Hold, HoldState, LedgerEntry
from catalog.models import ModelFamily, Offer, Provider
from catalog.selectors import offer_ids, offers_generatable
from generations.cardstate import GONE, card_states_cached, card_version
from generations.delivery import refund_suggested
from generations.health import health_for
from generations.models import ACTIVE_STATUSES, Asset, Board, BoardItem, Favourite, Generation, Status
from generations.providers import cancel_call_for
from project.stamps import CATALOG, stamps_read, team_stamp
from project.storage import read_head

PAGE_SIZE = 48
POLL_MAX_IDS = 200
KINDS = (("image", "Images"), ("video", "Videos"), ("audio", "Audio"), ("text", "Text"))
SORTS = (("new", "Newest first"), ("old", "Oldest first"), ("cost", "Highest cost"))
# When a provider reports no progress, the bar follows the offer's typical time, or this by output.
TYPICAL_SECONDS = {"image": 20, "video": 120, "audio": 40, "text": 15}
TEXT_PREVIEW_CHARS = 280


# --- the gallery's filters, as they live in the URL ------------------------------


@dataclass(frozen=True)
class GalleryFilters:
    """What the gallery shows. Parsed from the query string; unknown or bad values are ignored."""

    view: str = "team"  # team | mine
    q: str = ""
    status: str = ""
    model: str = ""  # a model family slug
    provider: str = ""  # a provider slug
    kind: str = ""  # what the generation made: image | video | audio | text
    member: str = ""  # a username
    date_from: date | None = None
    date_to: date | None = None
    favourites: bool = False
    board: str = ""  # a board's public id
    sort: str = "new"

    # name in the URL -> attribute
    PARAMS = {
        "view": "view",
        "q": "q",
        "status": "status",
        "model": "model",
        "provider": "provider",
        "type": "kind",
        "member": "member",
        "from": "date_from",
        "to": "date_to",
        "fav": "favourites",
        "board": "board",
        "sort": "sort",
    }

    @classmethod
    def from_query(cls, query: QueryDict | dict[str, str]) -> GalleryFilters:
        def text(name: str, limit: int = 100) -> str:
            return (query.get(name) or "").strip()[:limit]

        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(text(name, 10))
            except ValueError:
                return None

        status = text("status")
        kind = text("type")
        sort = text("sort")
        return cls(
            view="mine" if text("view") == "mine" else "team",
            q=text("q", 200),
            status=status if status in Status.values else "",
            model=text("model"),
            provider=text("provider"),
            kind=kind if kind in dict(KINDS) else "",
            member=text("member", 150),
            date_from=day("from"),
            date_to=day("to"),
            favourites=text("fav") in {"1", "on", "true"},
            board=text("board"),
            sort=sort if sort in dict(SORTS) else "new",
        )

    def params(self) -> dict[str, str]:
        """The non-default values, named as in the URL (the canonical, bookmarkable form)."""
        defaults = GalleryFilters()
        out: dict[str, str] = {}
        for name, attr in self.PARAMS.items():
            value = getattr(self, attr)
            if value == getattr(defaults, attr):
                continue
            if isinstance(value, bool):
                value = "1"
            elif isinstance(value, date):
                value = value.isoformat()
            out[name] = value
        return out

    def querystring(self, **extra: str) -> str:
        params = {**self.params(), **{k: v for k, v in extra.items() if v}}
        return urlencode(params)

    @property
    def narrowed(self) -> bool:
        """True when anything beyond the view and the sort order hides generations."""
        return bool(set(self.params()) - {"view", "sort"})

    def without_board(self) -> GalleryFilters:
        return replace(self, board="")


@dataclass(frozen=True)
class CardRow:
    """What decides how a card looks, read without loading the card's relations (see gallery_page)."""

    pk: int
    public_id: str
    status: str
    progress: int | None
    is_favourite: bool
    created_at: datetime
    cost: Decimal
    title: str  # the model's name, for a toast
    error_message: str
    batch_id: int | None  # the batch it is one variation of: the gallery shows a batch as one row

    COLUMNS = (
        "pk", "public_id", "status", "progress", "is_favourite", "created_at", "cost", "offer__family__name",
        "error_message", "batch_id",
    )  # fmt: skip

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def version(self) -> str:
        """What the card's HTML depends on besides the star: its ``data-version``, sent back by the poll."""
        return card_version(self.status, self.progress)


@dataclass
class GalleryPage:
    rows: list[CardRow]
    next_cursor: str | None = None
    filters: GalleryFilters = field(default_factory=GalleryFilters)


# --- querysets ------------------------------------------------------------------


# A card needs an offer's names, not its documents (spec, live data): those JSON columns stay in the database.
_OFFER_DOCUMENTS = tuple(f"offer__{f.name}" for f in Offer._meta.concrete_fields if isinstance(f, models.JSONField))


def generations_for_team(*, team: Team, user: User | None = None) -> QuerySet[Generation]:
    """The team's generations with what a card shows; ``is_favourite`` is the viewer's mark."""
    queryset = (
        Generation.objects.filter(team=team, deleted_at__isnull=True)
        .select_related("offer__provider", "offer__family", "created_by", "batch")
        .defer(*_OFFER_DOCUMENTS)
        .prefetch_related(Prefetch("assets", queryset=Asset.objects.order_by("index")))
    )
    if user is not None:
        queryset = queryset.annotate(
            is_favourite=Exists(Favourite.objects.filter(generation=OuterRef("pk"), user=user))
        )
    return queryset


def generation_for_team(*, team: Team, public_id: str, user: User | None = None) -> Generation:
    """The team's generation, or 404: another team's generation does not exist for this user."""
    generation = generations_for_team(team=team, user=user).filter(public_id=public_id).first()
    if generation is None:
        raise Http404("No such generation")
    with_live_progress([generation])
    return generation


def generations_by_ids(*, team: Team, public_ids: list[str], user: User | None = None) -> list[Generation]:
    """The poll's read: one query for the generations and one for their files, however many are asked for."""
    generations = list(generations_for_team(team=team, user=user).filter(public_id__in=public_ids[:POLL_MAX_IDS]))
    return with_live_progress(generations)


def asset_for_team(*, team: Team, generation_id: str, asset_id: str) -> Asset:
    asset = (
        Asset.objects.filter(
            public_id=asset_id,
            generation__public_id=generation_id,
            generation__team=team,
            generation__deleted_at__isnull=True,
        )
        .select_related("generation")
        .first()
    )
    if asset is None:
        raise Http404("No such file")
    return asset


def active_ids(generations: list[Generation]) -> list[str]:
    return [g.public_id for g in generations if g.status in ACTIVE_STATUSES]


# --- the gallery ----------------------------------------------------------------


def _search_query(text: str) -> SearchQuery | None:
    """Every word must match, the last one also as a prefix (search while typing)."""
    words = re.findall(r"\w+", text.lower())[:8]
    if not words:
        return None
    terms = [f"{word[:40]}:*" for word in words]
    return SearchQuery(" & ".join(terms), search_type="raw", config="english")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


_COST = Coalesce(F("credits_charged"), F("credits_quoted"))


def _encode_cursor(row: CardRow, sort: str) -> str:
    parts = [row.created_at.isoformat(), row.public_id]
    if sort == "cost":
        parts.insert(0, str(row.cost))
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str) -> tuple[Any, ...] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        parts = raw.split("|")
        if sort == "cost":
            cost, created, public_id = parts
            return Decimal(cost), datetime.fromisoformat(created), public_id
        created, public_id = parts
        return datetime.fromisoformat(created), public_id
    except (ValueError, binascii.Error, InvalidOperation, UnicodeDecodeError):
        return None


def gallery_queryset(*, team: Team, user: User, filters: GalleryFilters) -> QuerySet[Generation]:
    """The filtered, ordered generations of a gallery view, without their relations (see gallery_page)."""
    queryset = Generation.objects.filter(team=team, deleted_at__isnull=True).annotate(
        is_favourite=Exists(Favourite.objects.filter(generation=OuterRef("pk"), user=user))
    )
    if filters.view == "mine":
        queryset = queryset.filter(created_by=user)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.model or filters.provider:  # one small query first: see catalog.selectors.offer_ids
        queryset = queryset.filter(offer_id__in=offer_ids(provider_slug=filters.provider, family_slug=filters.model))
    if filters.kind:
        queryset = queryset.filter(offer__output=filters.kind)
    if filters.member:
        queryset = queryset.filter(created_by__username=filters.member)
    if filters.date_from:
        queryset = queryset.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        queryset = queryset.filter(created_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.favourites:
        queryset = queryset.filter(is_favourite=True)
    if filters.board:
        queryset = queryset.filter(
            Exists(BoardItem.objects.filter(generation=OuterRef("pk"), board__public_id=filters.board))
        )
    if filters.q:
        query = _search_query(filters.q)
        if query is not None:
            # The same expression as the GIN index generation_prompt_search, so the index is used.
            queryset = queryset.annotate(prompt_vector=SearchVector("prompt", config="english")).filter(
                prompt_vector=query
            )
    queryset = queryset.annotate(cost=_COST)
    if filters.sort == "old":
        return queryset.order_by("created_at", "public_id")
    if filters.sort == "cost":
        return queryset.order_by("-cost", "-created_at", "-public_id")
    return queryset.order_by("-created_at", "-public_id")


def gallery_page(
    *, team: Team, user: User, filters: GalleryFilters, after: str | None = None, limit: int = PAGE_SIZE
) -> GalleryPage:
    """One page of the gallery, after the keyset cursor ``after`` (new cards on top never shift pages).

    One narrow query: the page's rows say what each card shows, so cards already rendered can come
    from the cache; :func:`generations_for_cards` loads the others in full (two more queries).
    """
    queryset = gallery_queryset(team=team, user=user, filters=filters)
    cursor = _decode_cursor(after, filters.sort) if after else None
    if cursor and filters.sort == "cost":
        cost, created, public_id = cursor
        queryset = queryset.filter(
            Q(cost__lt=cost)
            | Q(cost=cost, created_at__lt=created)
            | Q(cost=cost, created_at=created, public_id__lt=public_id)
        )
    elif cursor and filters.sort == "old":
        created, public_id = cursor
        queryset = queryset.filter(Q(created_at__gt=created) | Q(created_at=created, public_id__gt=public_id))
    elif cursor:
        created, public_id = cursor
        queryset = queryset.filter(Q(created_at__lt=created) | Q(created_at=created, public_id__lt=public_id))
    rows = [CardRow(*values) for values in queryset.values_list(*CardRow.COLUMNS)[: limit + 1]]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode_cursor(rows[-1], filters.sort)
    return GalleryPage(rows=rows, next_cursor=next_cursor, filters=filters)


def generations_for_cards(*, team: Team, user: User, pks: list[int]) -> dict[int, Generation]:
    """The generations behind some cards, in full (with their files), by primary key: two queries."""
    generations = list(generations_for_team(team=team, user=user).filter(pk__in=pks))
    with_live_progress(generations)
    with_text_previews(generations)
    return {g.pk: g for g in generations}


def card_versions(
    *, team: Team, public_ids: list[str], prefetched: dict[str, Any] | None = None
) -> tuple[dict[str, str], list[str]]:
    """The poll's first read: each of the team's cards' version, and the ids of those deleted since
    (other teams' ids are simply not there). From the cache when the pipeline has published every one
    (generations.cardstate), else one narrow query however many cards are asked for."""
    public_ids = public_ids[:POLL_MAX_IDS]
    cached = card_states_cached(team_id=team.pk, public_ids=public_ids, prefetched=prefetched)
    if cached is not None:
        return {i: v for i, v in cached.items() if v != GONE}, [i for i, v in cached.items() if v == GONE]
    rows = Generation.objects.filter(team=team, public_id__in=public_ids).values_list(
        "public_id", "status", "progress", "deleted_at"
    )
    versions: dict[str, str] = {}
    deleted: list[str] = []
    for public_id, status, progress, deleted_at in rows:
        if deleted_at is None:
            versions[public_id] = card_version(status, progress)
        else:
            deleted.append(public_id)
    return versions, deleted


def card_rows(*, team: Team, user: User, public_ids: list[str]) -> list[CardRow]:
    """The rows of some cards (see CardRow), in one query."""
    queryset = gallery_queryset(team=team, user=user, filters=GalleryFilters()).filter(public_id__in=public_ids)
    return [CardRow(*values) for values in queryset.values_list(*CardRow.COLUMNS)]


@dataclass(frozen=True)
class GalleryOptions:
    """The filter bar's choices as (value, label) pairs: plain tuples are cheap to cache and read back."""

    models: list[tuple[str, str]]
    providers: list[tuple[str, str]]
    members: list[tuple[str, str]]
    boards: list[tuple[str, str]]
    kinds: tuple = KINDS
    sorts: tuple = SORTS
    statuses: tuple = tuple(Status.choices)


OPTIONS_CACHE_SECONDS = 300


def gallery_options(*, team: Team) -> GalleryOptions:
    """The choices of the filter bar: four small queries, whatever the team's size, cached under the
    team's and the catalog's stamps (project.stamps), so a new board or member shows at once."""
    stamps = stamps_read(team_stamp(team.pk), CATALOG)
    key = f"gallery-options:{team.pk}:{stamps}"
    options = cache.get(key) if stamps else None
    if options is None:
        options = _gallery_options(team)
        if stamps:
            cache.set(key, options, OPTIONS_CACHE_SECONDS)
    return options


def _gallery_options(team: Team) -> GalleryOptions:
    usernames = Membership.objects.filter(team=team).order_by("user__username").values_list("user__username", flat=True)
    return GalleryOptions(
        models=list(ModelFamily.objects.order_by("name").values_list("slug", "name")),
        providers=list(Provider.objects.order_by("name").values_list("slug", "name")),
        members=[(name, name) for name in usernames],
        boards=list(boards_for_team(team=team).values_list("public_id", "name")),
    )


# --- what a card shows beyond its row -------------------------------------------


def with_live_progress(generations: list[Generation], now: datetime | None = None) -> list[Generation]:
    """Set ``progress_percent``, ``progress_estimated``, ``elapsed_seconds``, ``typical_seconds`` (with
    ``typical_live`` and ``p95_seconds``: the studio's own figures of the last 24 hours, see generations.health)
    on active ones.

    The provider's progress where it reports one, else an estimate from the offer's typical time
    (never past 95 %: an estimate must not claim to be done). The card's ETA is ticked from the same figures.
    """
    now = now or timezone.now()
    for generation in generations:
        if generation.status not in ACTIVE_STATUSES:
            continue
        offer = generation.offer
        health = health_for(offer.pk)  # the live median and 95th percentile where the studio has enough jobs
        estimate = offer.estimated_seconds or TYPICAL_SECONDS.get(offer.output, 60)
        typical = health.median_seconds if health and health.median_seconds else estimate
        elapsed = max(0, int((now - generation.created_at).total_seconds()))
        generation.typical_seconds = typical
        generation.typical_live = bool(health and health.median_seconds)
        generation.p95_seconds = health.p95_seconds if health and health.median_seconds else None
        generation.elapsed_seconds = elapsed
        generation.elapsed_label = f"{elapsed // 60}:{elapsed % 60:02d}"
        if generation.status == Status.DOWNLOADING:
            generation.progress_percent, generation.progress_estimated = 100, False
        elif generation.progress:
            generation.progress_percent, generation.progress_estimated = min(generation.progress, 100), False
        else:
            generation.progress_percent = min(95, elapsed * 100 // max(typical, 1))
            generation.progress_estimated = True
    return generations


def with_text_previews(generations: list[Generation]) -> list[Generation]:
    """Set ``text_preview`` on the first file of finished text generations (a short read from storage)."""
    for generation in generations:
        if generation.status != Status.COMPLETED:
            continue
        assets = list(generation.assets.all())
        if not assets or assets[0].kind != "text":
            continue
        asset = assets[0]
        try:
            head = read_head(asset.file, TEXT_PREVIEW_CHARS * 4)  # a ranged read on object storage
            asset.text_preview = head.decode("utf-8", "replace")[:TEXT_PREVIEW_CHARS]
        except Exception:  # a missing file (OSError, or object storage's own error) shows no preview
            asset.text_preview = ""
    return generations


# --- boards ---------------------------------------------------------------------


def boards_for_team(*, team: Team) -> QuerySet[Board]:
    return Board.objects.filter(team=team).order_by("name")


def boards_with_covers(*, team: Team) -> list[Board]:
    """The team's boards with how many generations each holds and the newest one's first file (one query)."""
    latest = BoardItem.objects.filter(
        board=OuterRef("pk"), generation__deleted_at__isnull=True, generation__status=Status.COMPLETED
    ).order_by("-created_at")
    first_asset = Asset.objects.filter(generation=OuterRef("generation")).order_by("index")
    latest = latest.annotate(asset_id=Subquery(first_asset.values("public_id")[:1]))
    return list(
        boards_for_team(team=team).annotate(
            size=Count("items", filter=Q(items__generation__deleted_at__isnull=True)),
            cover_generation=Subquery(latest.values("generation__public_id")[:1]),
            cover_asset=Subquery(latest.values("asset_id")[:1]),
        )
    )


def board_for_team(*, team: Team, public_id: str) -> Board:
    board = boards_for_team(team=team).filter(public_id=public_id).first()
    if board is None:
        raise Http404("No such board")
    return board


def boards_of_generation(*, generation: Generation) -> list[Board]:
    return list(Board.objects.filter(items__generation=generation).order_by("name"))


# --- taking a result into the next generation -------------------------------------

# What a file of each kind can start: the offer's generation types that take it as input.
SOURCE_TYPES = {
    "image": ("image-to-video", "image-to-image", "image-editing", "upscale"),
    "video": ("video-to-video", "video-editing", "upscale"),
    "audio": ("audio-to-audio", "audio-to-video", "speech-to-text", "transcription"),
}
_SHARED_SOURCE = {"image": "source_images", "video": "source_videos", "audio": "source_audio"}


@dataclass(frozen=True)
class SourceTarget:
    offer_key: str
    label: str
    field: str
    generation_type: str


def source_media_field(spec: dict[str, Any], kind: str) -> str | None:
    """The offer's form field that takes a file of ``kind`` as input, preferring its main source field."""
    fields = [
        f
        for f in spec.get("fields", [])
        if f.get("type") == "media" and not f.get("derived") and kind in (f.get("kinds") or ())
    ]
    for spec_field in fields:
        if spec_field.get("shared") == _SHARED_SOURCE[kind]:
            return spec_field["name"]
    return fields[0]["name"] if fields else None


def source_targets(*, kind: str) -> list[SourceTarget]:
    """Enabled offers that can start from a file of ``kind``, grouped by generation type (one query)."""
    types = SOURCE_TYPES.get(kind)
    if not types:
        return []
    targets: list[SourceTarget] = []
    offers: list[Offer] = list(offers_generatable().defer("live_data").order_by("family__name", "provider__name"))
    for generation_type in types:
        for offer in offers:
            if generation_type not in (offer.generation_types or []):
                continue
            name = source_media_field(offer.spec, kind)
            if name:
                label = f"{offer.family.name} · {offer.provider.name}"
                if offer.name != offer.family.name:
                    label += f" ({offer.name})"
                targets.append(SourceTarget(offer.key, label, name, generation_type))
    return targets


# --- the job's receipt ------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptLine:
    """One ledger entry of the job, as the ledger has it."""

    at: datetime
    kind: str
    label: str
    held: Decimal  # change to the held credits
    balance: Decimal  # change to the balance (negative: charged; positive: refunded)
    reason: str
    actor: str


@dataclass(frozen=True)
class Receipt:
    """Where every credit of one job went: the quote it was held at, each ledger entry, each failover move."""

    breakdown: str
    provider: str
    provider_cost: Decimal
    unit: str
    credit_rate: Decimal | None
    markup: Decimal | None
    quoted: Decimal
    charge_note: str
    lines: list[ReceiptLine]
    moves: list[dict[str, Any]]

    @property
    def held(self) -> Decimal:
        return sum((line.held for line in self.lines if line.kind == EntryKind.HOLD), Decimal(0))

    @property
    def charged(self) -> Decimal:
        return -sum((line.balance for line in self.lines if line.balance < 0), Decimal(0))

    @property
    def refunded(self) -> Decimal:
        return sum((line.balance for line in self.lines if line.balance > 0), Decimal(0))

    @property
    def released(self) -> Decimal:
        return sum(
            (-line.held for line in self.lines if line.kind in (EntryKind.RELEASE, EntryKind.EXPIRY)), Decimal(0)
        )

    @property
    def still_held(self) -> Decimal:
        return sum((line.held for line in self.lines), Decimal(0))

    @property
    def net(self) -> Decimal:
        """What the job cost the team in the end."""
        return self.charged - self.refunded


def generation_receipt(*, generation: Generation) -> Receipt:
    """The job's money trail, read from the team's own ledger (entries of another wallet never show)."""
    entries = (
        LedgerEntry.objects.filter(generation_id=generation.pk, wallet__team_id=generation.team_id)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    lines = [
        ReceiptLine(
            at=entry.created_at,
            kind=entry.kind,
            label=entry.get_kind_display(),
            held=entry.held_delta,
            balance=entry.balance_delta,
            reason=entry.reason,
            actor=entry.actor.get_username() if entry.actor else "",
        )
        for entry in entries
    ]
    return Receipt(
        breakdown=generation.breakdown,
        provider=generation.offer.provider.name,
        provider_cost=generation.provider_cost,
        unit=generation.offer.provider.unit,
        credit_rate=generation.credit_rate,
        markup=generation.markup,
        quoted=generation.credits_quoted,
        charge_note=generation.charge_note,
        lines=lines,
        moves=list(generation.moves or []),
    )


@dataclass(frozen=True)
class CancelPreview:
    """What cancelling the job now does, said before the member confirms."""

    release: Decimal
    sent: bool  # the provider has the job
    provider: str
    cancel_call: str | None

    @property
    def message(self) -> str:
        credits = f"{self.release.normalize():f}"
        if not self.sent:
            return f"Nothing has been sent to {self.provider} yet: cancelling releases all {credits} held credits."
        if self.cancel_call:
            return (
                f"{self.provider} is asked to stop the job ({self.cancel_call}); "
                f"the studio releases all {credits} held credits and charges nothing."
            )
        return (
            f"{self.provider} documents no way to stop a job, so it may still run there; the studio stops "
            f"following it, releases all {credits} held credits and charges nothing."
        )


def cancel_preview(*, generation: Generation) -> CancelPreview | None:
    """For an unfinished job: the credits a cancel releases (its whole open hold) and what the provider does."""
    if not generation.is_active:
        return None
    hold = Hold.objects.filter(generation_id=generation.pk, state=HoldState.OPEN).only("amount").first()
    return CancelPreview(
        release=hold.amount if hold else Decimal(0),
        sent=bool(generation.provider_job_id),
        provider=generation.offer.provider.name,
        cancel_call=cancel_call_for(generation.offer.provider.slug),
    )


# --- deliveries that fell short (staff) --------------------------------------------


@dataclass(frozen=True)
class DeliveryRow:
    generation: Generation
    charged: Decimal
    refunded: Decimal
    suggested: Decimal

    @property
    def refundable(self) -> Decimal:
        return self.charged - self.refunded


def delivery_mismatches(*, limit: int = 200) -> list[DeliveryRow]:
    """Finished jobs whose files fell short of what was asked and paid for, newest first, with what each was
    charged and refunded by the ledger (staff only: every team)."""
    money = LedgerEntry.objects.filter(generation_id=OuterRef("pk"), wallet__team_id=OuterRef("team_id"))
    charged = money.filter(balance_delta__lt=0).values("generation_id").annotate(s=models.Sum("balance_delta"))
    refunded = money.filter(balance_delta__gt=0).values("generation_id").annotate(s=models.Sum("balance_delta"))
    rows = (
        Generation.objects.exclude(delivery_issues=[])
        .filter(deleted_at__isnull=True)
        .select_related("team", "offer__provider", "offer__family", "created_by")
        .defer(*_OFFER_DOCUMENTS)
        .annotate(
            ledger_charged=Coalesce(-Subquery(charged.values("s")[:1]), Decimal(0)),
            ledger_refunded=Coalesce(Subquery(refunded.values("s")[:1]), Decimal(0)),
        )
        .order_by("-finished_at", "-id")[:limit]
    )
    return [
        DeliveryRow(
            generation=row,
            charged=row.ledger_charged,
            refunded=row.ledger_refunded,
            suggested=min(
                refund_suggested(charged=row.ledger_charged, issues=row.delivery_issues),
                row.ledger_charged - row.ledger_refunded,
            ),
        )
        for row in rows
    ]


def delivery_mismatch(*, public_id: str) -> Generation:
    """One job with a delivery issue (staff), or 404."""
    generation = (
        Generation.objects.exclude(delivery_issues=[])
        .filter(public_id=public_id, deleted_at__isnull=True)
        .select_related("team")
        .first()
    )
    if generation is None:
        raise Http404("No such delivery issue")
    return generation


def ledger_by_job(*, team: Team, pks: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """(charged less refunded, still held) per job, in one query over the team's own ledger: what the
    compare grid's cells and a batch's row say each job cost."""
    rows = (
        LedgerEntry.objects.filter(generation_id__in=pks, wallet__team_id=team.pk)
        .values("generation_id")
        .annotate(spent=Coalesce(Sum("balance_delta"), Decimal(0)), held=Coalesce(Sum("held_delta"), Decimal(0)))
    )
    return {row["generation_id"]: (-row["spent"], row["held"]) for row in rows}
