"""Reads for the catalog: what users may browse, generate with and quote."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from catalog.datafile import provider_file_load, provider_files_available
from catalog.models import ModelFamily, Offer, Provider
from catalog.pricing import QuoteError
from catalog.services import provider_credits

# Specs by (offer id, synced_at): a sync always moves synced_at, so an entry is never stale.
_SPEC_CACHE: dict[tuple[int, datetime], dict[str, Any]] = {}
_SPEC_CACHE_MAX = 2048


def offers_enabled() -> QuerySet[Offer]:
    """Offers users may see: switched on by staff (offer, provider, family) and still listed by the provider."""
    return (
        Offer.objects.filter(enabled=True, provider__enabled=True, family__enabled=True)
        .exclude(live_listed=False)
        .select_related("provider", "family")
    )


def offers_generatable() -> QuerySet[Offer]:
    """Offers users may generate with: visible, with a documented price, and run by the provider's API."""
    return offers_enabled().filter(priced=True, runnable=True)


def _provider_family_label(*, name: str, providers: list[str]) -> None:
    """A name a provider documents as a family of its variants (Kubeez' ``seedance-2``): that provider's refusal."""
    for slug in providers:
        if slug not in provider_files_available():
            continue
        for label in provider_file_load(slug).get("family_labels", []):
            if label["label"] == name:
                raise QuoteError(
                    label.get("code", "variant_required"),
                    label.get("message", f"{name} is a model family; choose one of its variants"),
                    family=name,
                    available_variants=label["variants"],
                )


def offers_named(*, name: str, provider: str | None = None) -> list[Offer]:
    """The offers a request's ``model`` names, never a different model or variant than the one named.

    - ``provider:model`` (an offer id from ``GET /api/v1/models``), or a model id with ``provider``:
      exactly that provider's offer. A Krea endpoint may also be named by its documented path
      (``/generate/image/runway/gen-4-image``) or the path's last segment (``gen-4-image``).
    - A model id without a provider: that model at every provider listing it under that id.
    - A family slug: the family's offers only when they are all one model (one model id); a
      family of several variants is ``variant_required`` with the offer ids to choose from, and a
      label a provider documents as a family answers that provider's documented refusal.

    Offers switched off by staff are not named; offers without a documented price, or that the
    provider's API doesn't run, are returned so the caller can say why they can't run. Raises
    QuoteError ``unknown_model`` or ``variant_required``.
    """
    if provider is None and ":" in name:
        provider, name = name.split(":", 1)
    offers = offers_enabled().order_by("provider__slug", "model_id")
    if provider:
        offers = offers.filter(provider__slug=provider)
    found = list(offers.filter(model_id=name))
    if not found and name.startswith("/"):
        found = list(offers.filter(spec__wire__path=name))
    elif not found and name and "/" not in name:
        found = list(offers.filter(spec__wire__path__endswith=f"/{name}"))
    if found:
        return found
    if provider:  # the provider's own documented answer for a label of its variants comes first
        _provider_family_label(name=name, providers=[provider])
    family = list(offers.filter(family__slug=name))
    if len({offer.model_id for offer in family}) == 1:
        return family
    if not family:
        _provider_family_label(
            name=name, providers=sorted(Provider.objects.filter(enabled=True).values_list("slug", flat=True))
        )
    else:
        raise QuoteError(
            "variant_required",
            f"{name} is a family of {len(family)} models{f' at {provider}' if provider else ''}; "
            "name one of them by its offer id",
            family=name,
            available_variants=[offer.key for offer in family],
        )
    where = f" at {provider}" if provider else ""
    switched_off = Offer.objects.filter(model_id=name, **({"provider__slug": provider} if provider else {}))
    if switched_off.exists():
        raise QuoteError("unknown_model", f"{name!r}{where} is switched off in the studio", model=name)
    raise QuoteError("unknown_model", f"No model {name!r}{where} in the catalog; see GET /api/v1/models", model=name)


def offer_by_key(*, key: str) -> Offer | None:
    """The visible offer ``provider:model_id``, in one query (its spec from process memory when unchanged)."""
    provider, _, model_id = key.partition(":")
    offer = offers_enabled().defer("spec", "live_data").filter(provider__slug=provider, model_id=model_id).first()
    if offer is None:
        return None
    cache_key = (offer.pk, offer.synced_at)
    spec = _SPEC_CACHE.get(cache_key)
    if spec is None:
        spec = Offer.objects.values_list("spec", flat=True).get(pk=offer.pk)
        if len(_SPEC_CACHE) >= _SPEC_CACHE_MAX:
            _SPEC_CACHE.clear()
        _SPEC_CACHE[cache_key] = spec
    offer.spec = spec
    return offer


def offer_ids(*, provider_slug: str = "", family_slug: str = "") -> list[int]:
    """The ids of every offer (switched off or not) of a provider and/or a model family.

    A filter on the jobs of one provider or model is fastest as ``offer_id IN (these ids)``: PostgreSQL then
    estimates the rows from the jobs' own statistics and reads the team's newest first until a page is full,
    where a join through the offers was estimated from the offer table and sorted every job of the team."""
    offers = Offer.objects.all()
    if provider_slug:
        offers = offers.filter(provider__slug=provider_slug)
    if family_slug:
        offers = offers.filter(family__slug=family_slug)
    return list(offers.order_by("pk").values_list("pk", flat=True))


def offer_labels(keys: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(model name, provider name) for each offer key ``provider:model_id`` known to the catalog, switched
    off or not (what was spent on an offer since disabled still needs its name)."""
    keys = set(keys)
    rows = Offer.objects.filter(provider__slug__in={key.partition(":")[0] for key in keys}).values_list(
        "provider__slug", "model_id", "family__name", "provider__name"
    )
    labels = {f"{slug}:{model_id}": (model, provider) for slug, model_id, model, provider in rows}
    return {key: labels[key] for key in keys if key in labels}


def provider_names(slugs: Iterable[str]) -> dict[str, str]:
    """Each known provider's name by its slug."""
    return dict(Provider.objects.filter(slug__in=set(slugs)).values_list("slug", "name"))


# The live quote's one query: is the offer still visible, which version is it, what do its provider's
# rates say now, and (optionally) what the team has available. Plain SQL: building the equivalent ORM
# query costs more than running it.
_QUOTE_SQL = """
SELECT o.id, o.synced_at,
       (o.enabled AND p.enabled AND f.enabled AND o.live_listed IS NOT FALSE) AS visible,
       p.credit_rate, p.markup, p.enabled,
       {available} AS available
FROM {offer} o
JOIN {provider} p ON p.id = o.provider_id
JOIN {family} f ON f.id = o.family_id
WHERE p.slug = %s AND o.model_id = %s
"""
_OFFER_CACHE: dict[str, tuple[tuple, Offer]] = {}


def offer_for_quote(*, key: str, also: tuple[str, list[Any]] | None = None) -> tuple[Offer | None, Decimal | None]:
    """The visible offer ``provider:model_id`` and, in the same query, ``also``'s value.

    ``also`` is a scalar SQL subquery and its parameters from an app above the catalog (the composer
    passes billing.selectors.wallet_available_sql: the team's available credits), so a quote stays one
    round trip while the catalog knows nothing of wallets.

    The offer itself (spec, provider, family) is kept in process memory and
    reloaded only when its ``synced_at`` or its provider's rate or markup
    moves; those and every enabled switch are read fresh each time, so a
    staff change applies to the very next quote. The cached offer is shared
    by every request of this process: read it, never change it.
    """
    provider_slug, _, model_id = key.partition(":")
    also_sql, also_params = also if also is not None else ("NULL", [])
    # Only table names and ``also``'s own SQL are formatted in; every value is a query parameter.
    sql = _QUOTE_SQL.format(
        available=also_sql,
        offer=Offer._meta.db_table,
        provider=Provider._meta.db_table,
        family=ModelFamily._meta.db_table,
    )
    params = [*also_params, provider_slug, model_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None, None
    pk, synced_at, visible, credit_rate, markup, provider_enabled, credits = row
    if not visible:
        return None, credits
    # A staff change to the rate or markup makes a new entry; nothing in a cached offer ever changes.
    version = (pk, synced_at, credit_rate, markup, provider_enabled)
    cached = _OFFER_CACHE.get(key)
    if cached is None or cached[0] != version:
        offer = Offer.objects.select_related("provider", "family").get(pk=pk)  # only when something changed
        offer.provider.credit_rate, offer.provider.markup = credit_rate, markup
        if len(_OFFER_CACHE) >= _SPEC_CACHE_MAX:
            _OFFER_CACHE.clear()
        cached = _OFFER_CACHE[key] = (version, offer)
    return cached[1], credits


def offer_from_credits(offer: Offer) -> Decimal | None:
    """Studio credits of the offer's simplest request ("from N credits"); None when unpriced."""
    if offer.priced and offer.studio_price is not None and offer.spec.get("unpriced"):
        return offer.studio_price
    if not offer.priced or offer.base_provider_cost is None:
        return None
    return provider_credits(provider=offer.provider, provider_cost=offer.base_provider_cost)


@dataclass
class FamilyCard:
    """One model as the catalog shows it: its visible offers and what they have in common."""

    family: ModelFamily
    offers: list[Offer] = field(default_factory=list)
    badges: list[str] = field(default_factory=list)  # set by the view: capabilities worth a word on the card

    @property
    def providers(self) -> list[str]:
        names: list[str] = []
        for offer in self.offers:
            if offer.provider.name not in names:
                names.append(offer.provider.name)
        return names

    @property
    def from_credits(self) -> Decimal | None:
        prices = [p for p in (offer_from_credits(o) for o in self.offers) if p is not None]
        return min(prices) if prices else None

    @property
    def seconds(self) -> tuple[int, int] | None:
        values = [o.estimated_seconds for o in self.offers if o.estimated_seconds]
        return (min(values), max(values)) if values else None

    @property
    def generation_types(self) -> list[str]:
        return sorted({t for o in self.offers for t in o.generation_types})

    @property
    def capabilities(self) -> list[str]:
        return sorted({c for o in self.offers for c in o.capabilities})

    @property
    def priced(self) -> bool:
        return any(o.priced for o in self.offers)


def family_cards(
    *,
    category: str | None = None,
    provider: str | None = None,
    generation_type: str | None = None,
    capabilities: list[str] | None = None,
    search: str = "",
    sort: str = "name",
) -> list[FamilyCard]:
    """Families with at least one visible offer matching the filters; each card holds only the matching offers."""
    offers = offers_enabled().defer("spec", "live_data").order_by("provider__name", "name")
    if category:
        offers = offers.filter(family__category=category)
    if provider:
        offers = offers.filter(provider__slug=provider)
    if generation_type:
        offers = offers.filter(generation_types__contains=[generation_type])
    for capability in capabilities or []:
        offers = offers.filter(capabilities__contains=[capability])
    cards: dict[int, FamilyCard] = {}
    for offer in offers:
        cards.setdefault(offer.family_id, FamilyCard(family=offer.family)).offers.append(offer)
    result = list(cards.values())
    words = search.lower().split()
    if words:
        result = [card for card in result if all(word in _haystack(card) for word in words)]
    return sorted(result, key=_SORTS.get(sort, _SORTS["name"]))


def _haystack(card: FamilyCard) -> str:
    names = [card.family.name, card.family.slug] + [f"{o.name} {o.model_id}" for o in card.offers]
    return " ".join(names).lower()


_NONE_LAST = Decimal("1e30")
_SORTS = {
    "name": lambda card: card.family.name.lower(),
    "price": lambda card: (card.from_credits if card.from_credits is not None else _NONE_LAST, card.family.name),
    "speed": lambda card: (card.seconds[0] if card.seconds else 1 << 30, card.family.name),
}


def category_counts() -> dict[str, int]:
    """How many visible families each category tab holds."""
    families: dict[str, set[int]] = defaultdict(set)
    for category, family_id in offers_enabled().values_list("family__category", "family_id"):
        families[category].add(family_id)
    return {category: len(ids) for category, ids in families.items()}


def filter_choices() -> dict[str, list[str]]:
    """Values for the catalog filters, from the visible offers."""
    generation_types: set[str] = set()
    capabilities: set[str] = set()
    for types, caps in offers_enabled().values_list("generation_types", "capabilities"):
        generation_types.update(types)
        capabilities.update(caps)
    return {"generation_types": sorted(generation_types), "capabilities": sorted(capabilities)}


def family_for_page(*, slug: str) -> FamilyCard | None:
    """A family with its visible offers (specs included), for the model page; None when hidden."""
    offers = list(offers_enabled().filter(family__slug=slug).order_by("provider__name", "name"))
    if not offers:
        return None
    return FamilyCard(family=offers[0].family, offers=offers)
