"""Providers, model families and offers (one provider's way to run one model).

An offer's full documented description (fields, rules, price expression, wire
hints) lives in ``Offer.spec``, copied from catalog/data/<provider>.json by
``sync_catalog``; the columns beside it are what browsing filters and sorts on.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q


class Category(models.TextChoices):
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"
    TEXT = "text", "Text"
    UTILITY = "utility", "Utility"


class Provider(models.Model):
    slug = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    unit = models.CharField(max_length=30, help_text="The provider's own billing unit")
    # Studio credits per provider unit, and a multiplier on top (1.00 = no markup). Set by staff.
    credit_rate = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal("1"))
    markup = models.DecimalField(max_digits=6, decimal_places=4, default=Decimal("1"))
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(credit_rate__gt=0), name="provider_rate_positive"),
            models.CheckConstraint(condition=Q(markup__gte=1), name="provider_markup_at_least_one"),
        ]

    def __str__(self) -> str:
        return self.name


class ModelFamily(models.Model):
    """One model as users know it (Kling 3.0), whichever providers offer it."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=10, choices=Category.choices)
    description = models.TextField(blank=True)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "model families"

    def __str__(self) -> str:
        return self.name


class Offer(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="offers")
    family = models.ForeignKey(ModelFamily, on_delete=models.PROTECT, related_name="offers")
    model_id = models.CharField(max_length=120, help_text="The model value sent to the provider")
    name = models.CharField(max_length=160)
    category = models.CharField(max_length=10, choices=Category.choices)
    output = models.CharField(max_length=10)
    generation_types = models.JSONField(default=list)
    capabilities = models.JSONField(default=list)
    estimated_seconds = models.PositiveIntegerField(null=True, blank=True)
    spec = models.JSONField()
    enabled = models.BooleanField(default=True)
    # False while neither the docs nor the provider's live model list give a price:
    # such an offer is browsable ("price not documented") but can't be quoted or run.
    priced = models.BooleanField(default=True)
    # False when the provider's API can't run it (Kubflow: "Direct API generation currently accepts
    # image and video"): browsable, with its documented price, but never quoted for a run or sent.
    runnable = models.BooleanField(default=True)
    # Kept for browsing and sorting: the provider price of the default request.
    # The studio's own price in credits for an offer whose provider documents none (set by staff, audited);
    # with it the offer can be quoted and run. Never set for an offer with a documented price.
    studio_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    base_provider_cost = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    # What the provider's models endpoint said at the last ``sync_catalog --live``
    # (None: never asked, or the provider has no such endpoint). An offer the
    # provider no longer lists is hidden like a disabled one, without touching
    # the staff's own ``enabled`` switch.
    live_listed = models.BooleanField(null=True, blank=True)
    live_cost = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    live_data = models.JSONField(default=dict, blank=True)
    live_synced_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family__name", "provider__name"]
        constraints = [models.UniqueConstraint(fields=["provider", "model_id"], name="offer_unique_provider_model")]
        indexes = [models.Index(fields=["category", "enabled"], name="offer_category_enabled")]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider.name})"

    @property
    def is_available(self) -> bool:
        """Shown and usable: switched on by staff (offer, provider, family) and not dropped by the provider."""
        return self.enabled and self.provider.enabled and self.family.enabled and self.live_listed is not False

    @property
    def key(self) -> str:
        """The offer's public id: provider and model, e.g. ``kubflow:kling-3.0``."""
        return f"{self.provider.slug}:{self.model_id}"
