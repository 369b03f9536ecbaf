"""A compare grid: one prompt run through up to six offers at once, the results side by side.

The offers may be one model at several providers or different models. What the member typed is kept
by shared meaning (prompt, duration, aspect ratio, ...: catalog.shared), and each offer gets its own
fitted parameters from it, so Kubeez' "5s" and Krea's 5 are one duration. :func:`comparison_plan`
prices every offer for that (the total is shown before anything is confirmed);
:func:`comparison_create` checks the total against the wallet and the spend limits first, then
creates the comparison and all its jobs (each through ``generation_submit``, with its own hold) in
one transaction: either every job is held, or none is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError
from django.http import Http404

from accounts.models import Team, User
from catalog.models import Offer
from catalog.pricing import QuoteError
from catalog.selectors import offer_by_key
from catalog.services import Quote, offer_runnable_check, price_quote
from catalog.shared import compare_choices, shared_apply, shared_fields, shared_values
from generations.cardstate import card_version
from generations.measure import MediaMeter, media_lengths_fill
from generations.models import ACTIVE_STATUSES, Comparison, Generation, Status
from generations.selectors import generations_for_team, ledger_by_job, with_live_progress, with_text_previews
from generations.services.submission import generations_submit_together

MAX_OFFERS = 6
MIN_OFFERS = 2
ZERO = Decimal(0)

# The settings a comparison asks once for every offer, by shared meaning (catalog/data/SCHEMA.md).
CHOICE_KEYS = ("aspect_ratio", "resolution", "duration", "sound")  # picked from what the offers accept
TEXT_KEYS = ("prompt", "negative_prompt", "seed")
MEDIA_KEYS = ("source_images", "source_videos", "source_audio")  # URLs, one per line
SETTING_KEYS = (*TEXT_KEYS, *CHOICE_KEYS, *MEDIA_KEYS)
LABELS = {
    "prompt": "Prompt",
    "negative_prompt": "Negative prompt",
    "seed": "Seed",
    "aspect_ratio": "Aspect ratio",
    "resolution": "Resolution",
    "duration": "Duration",
    "sound": "Sound",
    "source_images": "Source images",
    "source_videos": "Source videos",
    "source_audio": "Source audio",
}


class CompareError(Exception):
    """A comparison that can't be run as asked (too many offers, an offer that refuses the settings)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- what the member asked ----------------------------------------------------------


def compare_values_clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """The shared settings in a request (a query string or a form), by shared key; empty ones left out."""
    values: dict[str, Any] = {}
    for key in SETTING_KEYS:
        raw = data.get(key)
        if raw is None:
            continue
        if key in MEDIA_KEYS:
            urls = [line.strip() for line in str(raw).replace(",", "\n").splitlines() if line.strip()]
            if urls:
                values[key] = urls[:20]
            continue
        text = str(raw).strip()
        if text:
            values[key] = text[:20000] if key in ("prompt", "negative_prompt") else text[:40]
    return values


def compare_values_from_offer(*, offer: Offer, data: Mapping[str, Any]) -> dict[str, Any]:
    """The shared settings of what was typed in the composer for ``offer`` (its own field names)."""
    raw: dict[str, Any] = {}
    for spec in shared_fields(offer.spec).values():
        value = data.get(spec["name"])
        if value in (None, ""):
            continue
        if spec["type"] == "boolean":
            value = "true" if str(value).lower() in {"on", "true", "1"} else "false"
        raw[spec["name"]] = value
    values = shared_values(offer.spec, raw)
    return compare_values_clean({key: ("\n".join(v) if isinstance(v, list) else v) for key, v in values.items()})


def compare_offers_from_keys(keys: list[str]) -> list[Offer]:
    """The visible offers named (``provider:model_id``), in the order given, each once. Only the first
    twice-the-maximum are read (a plan with more than six says so; a longer list is not read at all)."""
    offers: list[Offer] = []
    seen: set[str] = set()
    for key in keys[: MAX_OFFERS * 2]:
        key = (key or "").strip()
        if not key or key in seen:
            continue
        seen.add(key)
        offer = offer_by_key(key=key)
        if offer is not None:
            offers.append(offer)
    return offers


def compare_choice_options(offers: list[Offer]) -> dict[str, list[tuple[str, str]]]:
    """For the setup form: each shared choice some chosen offer takes, with the values any of them accepts."""
    return compare_choices([offer.spec for offer in offers], CHOICE_KEYS)


def compare_inputs(offers: list[Offer]) -> list[str]:
    """The text and media settings at least one chosen offer has a field for (the prompt always)."""
    keys = {key for offer in offers for key in shared_fields(offer.spec)}
    return [key for key in (*TEXT_KEYS, *MEDIA_KEYS) if key == "prompt" or key in keys]


# --- the price, before anything is confirmed ------------------------------------------


@dataclass(frozen=True)
class PlanItem:
    """One offer of a comparison: the parameters fitted to it, and its quote (or why it can't run)."""

    offer: Offer
    params: dict[str, Any]
    quote: Quote | None
    error: QuoteError | None
    ignored: list[str] = field(default_factory=list)  # settings given that this offer can't take

    @property
    def shown_params(self) -> list[tuple[str, str]]:
        """The fitted parameters as the composer labels them, prompt aside."""
        labels = {f["name"]: f.get("label") or f["name"] for f in self.offer.spec.get("fields", [])}
        shown = []
        for name, value in (self.quote.params if self.quote else self.params).items():
            if name in ("prompt", "text") and value == self.params.get(name):
                continue
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            shown.append((labels.get(name, name.replace("_", " ").capitalize()), str(value)))
        return shown


@dataclass(frozen=True)
class ComparePlan:
    items: list[PlanItem]

    @property
    def total(self) -> Decimal:
        return sum((item.quote.credits for item in self.items if item.quote), ZERO)

    @property
    def problem(self) -> str:
        """Why it can't be confirmed as it stands; "" when it can."""
        if len(self.items) < MIN_OFFERS:
            return f"Pick at least {MIN_OFFERS} models or providers to compare."
        if len(self.items) > MAX_OFFERS:
            return f"A comparison runs at most {MAX_OFFERS} offers: leave out {len(self.items) - MAX_OFFERS}."
        failing = [item for item in self.items if item.error is not None]
        if failing:
            item = failing[0]
            return f"{item.offer.provider.name} · {item.offer.name}: {item.error.message}"
        return ""


def _fitted(offer: Offer, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The offer's parameters for the shared ``values``, and the given settings it can't take."""
    params = shared_apply(offer.spec, values)
    fields = shared_fields(offer.spec)
    taken = {key for key, spec in fields.items() if spec["name"] in params}
    ignored = [LABELS.get(key, key) for key in values if key not in taken]
    return params, ignored


def comparison_plan(*, offers: list[Offer], values: dict[str, Any], team: Team | None = None) -> ComparePlan:
    """Every offer priced for the same shared settings, in the order chosen (no download: the lengths the
    studio already knows; an offer billed on a length it can't know yet is refused)."""
    items = []
    for offer in offers:
        params, ignored = _fitted(offer, values)
        try:
            offer_runnable_check(offer)
            measured = media_lengths_fill(spec=offer.spec, params=params, meter=MediaMeter(team=team, fetch=False))
            if measured.pending:
                raise QuoteError(
                    "length_unknown",
                    "this model is priced on the length of a file the studio has not measured yet; "
                    "run it from the composer",
                )
            quote = price_quote(offer=offer, params=measured.params)
        except QuoteError as exc:
            items.append(PlanItem(offer=offer, params=params, quote=None, error=exc, ignored=ignored))
            continue
        items.append(PlanItem(offer=offer, params=params, quote=quote, error=None, ignored=ignored))
    return ComparePlan(items=items)


# --- confirming: all the jobs, or none ------------------------------------------------


def comparison_create(
    *,
    team: Team,
    user: User,
    offers: list[Offer],
    values: dict[str, Any],
    expected_total: Decimal | None = None,
    idempotency_key: str | None = None,
) -> Comparison:
    """Run the prompt through every offer: one comparison and one job per offer, each with its own hold.

    Refused whole, with nothing held, when the plan has a problem (CompareError), when the total is not
    the one the member was shown (``price_changed``), or when the team can't pay the total
    (InsufficientCredits, SpendLimitExceeded). The total is checked first; then the comparison and every
    job are created in one transaction, so a hold refused on the way (another submit took the credits
    in between) takes every other hold back with it.
    """
    if idempotency_key:
        existing = Comparison.objects.filter(team=team, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    plan = comparison_plan(offers=offers, values=values, team=team)
    if plan.problem:
        raise CompareError("invalid_comparison", plan.problem)
    total = plan.total
    if expected_total is not None and expected_total != total:
        raise CompareError(
            "price_changed",
            f"The total is now {_fmt(total)} credits, not the {_fmt(expected_total)} shown: look at it again and confirm.",
        )

    def comparison_new() -> Comparison:
        return Comparison.objects.create(
            team=team,
            created_by=user,
            prompt=str(values.get("prompt") or ""),
            shared=values,
            idempotency_key=idempotency_key or None,
        )

    def link(comparison: Comparison, jobs: list[Generation]) -> None:
        Generation.objects.filter(pk__in=[job.pk for job in jobs]).update(comparison=comparison)

    try:
        return generations_submit_together(
            team=team,
            user=user,
            requests=[(item.offer, item.params) for item in plan.items],
            total=total,
            parent_create=comparison_new,
            link=link,
        )
    except QuoteError as exc:
        raise CompareError(exc.code, exc.message) from exc
    except IntegrityError:
        existing = idempotency_key and Comparison.objects.filter(team=team, idempotency_key=idempotency_key).first()
        if not existing:
            raise
        return existing


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


# --- reading it back ------------------------------------------------------------------


def comparison_for_team(*, team: Team, public_id: str) -> Comparison:
    """The team's comparison, or 404: another team's comparison does not exist for this member."""
    comparison = Comparison.objects.filter(team=team, public_id=public_id).select_related("created_by").first()
    if comparison is None:
        raise Http404("No such comparison")
    return comparison


def comparisons_for_team(*, team: Team, limit: int = 20) -> list[Comparison]:
    return list(Comparison.objects.filter(team=team).select_related("created_by")[:limit])


@dataclass
class Cell:
    """One job of a comparison as its grid cell shows it; the money read from the team's ledger."""

    generation: Generation
    charged: Decimal  # captured, less refunds: what the job cost the team so far
    held: Decimal  # still held (a running job)
    remix_url: str = ""  # set by the view: the composer prefilled with this job's settings

    @property
    def version(self) -> str:
        return card_version(self.generation.status, self.generation.progress)

    @property
    def asset(self):
        assets = list(self.generation.assets.all())
        return assets[0] if assets else None

    @property
    def took(self) -> str:
        start, end = self.generation.created_at, self.generation.finished_at
        if not end:
            return ""
        return _seconds_label(max(0, round((end - start).total_seconds())))


def _seconds_label(seconds: int) -> str:
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def comparison_cells(
    *, comparison: Comparison, user: User, public_ids: list[str] | None = None, now: datetime | None = None
) -> list[Cell]:
    """The comparison's jobs in the order they were asked (or only ``public_ids``), each with its money."""
    queryset = generations_for_team(team=comparison.team, user=user).filter(comparison=comparison)
    if public_ids is not None:
        queryset = queryset.filter(public_id__in=public_ids)
    generations = list(queryset.order_by("id"))
    with_live_progress(generations, now=now)
    with_text_previews(generations)
    money = ledger_by_job(team=comparison.team, pks=[g.pk for g in generations])
    return [
        Cell(generation=g, charged=money.get(g.pk, (ZERO, ZERO))[0], held=money.get(g.pk, (ZERO, ZERO))[1])
        for g in generations
    ]


def comparison_versions(*, comparison: Comparison) -> dict[str, str]:
    """Each job's version (``status:progress``), in one narrow query: what the poll compares with."""
    rows = Generation.objects.filter(comparison=comparison, deleted_at__isnull=True).values_list(
        "public_id", "status", "progress"
    )
    return {public_id: card_version(status, progress) for public_id, status, progress in rows}


@dataclass(frozen=True)
class Summary:
    jobs: int
    done: int
    failed: int
    charged: Decimal
    held: Decimal

    @property
    def active(self) -> bool:
        return self.done < self.jobs


def comparison_summary(cells: list[Cell]) -> Summary:
    final = [c for c in cells if c.generation.status not in ACTIVE_STATUSES]
    return Summary(
        jobs=len(cells),
        done=len(final),
        failed=sum(1 for c in final if c.generation.status == Status.FAILED),
        charged=sum((c.charged for c in cells), ZERO),
        held=sum((c.held for c in cells), ZERO),
    )
