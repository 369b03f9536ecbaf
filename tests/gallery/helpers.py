"""Generations made straight in the database, for tests that need many of them quickly."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from catalog.models import Offer
from generations.models import Asset, Generation, Status
from project.stamps import stamps_bump, team_stamp

EXTENSIONS = {"image": ("png", "image/png"), "video": ("mp4", "video/mp4"), "audio": ("mp3", "audio/mpeg")}


def offer(key: str = "kubflow:nano-banana") -> Offer:
    provider, _, model_id = key.partition(":")
    return Offer.objects.select_related("provider", "family").get(provider__slug=provider, model_id=model_id)


def make_generations(
    *,
    team,
    user,
    count: int,
    status: str = Status.QUEUED,
    offer_key: str = "kubflow:nano-banana",
    prompt: str = "a quiet harbour at dawn",
    with_asset: bool | None = None,
    age: timedelta = timedelta(0),
) -> list[Generation]:
    """``count`` generations of one offer; completed ones get a file row (no bytes: cards only link to it)."""
    chosen = offer(offer_key)
    now = timezone.now()
    generations = Generation.objects.bulk_create(
        [
            Generation(
                team=team,
                created_by=user,
                offer=chosen,
                prompt=f"{prompt} #{i}",
                params={"prompt": f"{prompt} #{i}", "aspect_ratio": "1:1"},
                status=status,
                provider_cost=Decimal("4"),
                credits_quoted=Decimal("4"),
                credits_charged=Decimal("4") if status == Status.COMPLETED else None,
                progress=None,
                deadline_at=now + timedelta(hours=1),
                started_at=now if status != Status.QUEUED else None,
                finished_at=now if status in (Status.COMPLETED, Status.FAILED, Status.CANCELLED) else None,
                error_message="The model could not generate this request." if status == Status.FAILED else "",
            )
            for i in range(count)
        ]
    )
    stamps_bump(team_stamp(team.pk))  # as the pipeline does for every change it makes
    if age:
        Generation.objects.filter(pk__in=[g.pk for g in generations]).update(created_at=now - age)
    if with_asset if with_asset is not None else status == Status.COMPLETED:
        ext, content_type = EXTENSIONS.get(chosen.output, ("png", "image/png"))
        Asset.objects.bulk_create(
            [
                Asset(
                    generation=g,
                    index=0,
                    kind=chosen.output,
                    file=f"outputs/test/{g.public_id}.{ext}",
                    thumbnail=f"thumbnails/test/{g.public_id}.jpg",
                    filename=f"{g.public_id}-1.{ext}",
                    content_type=content_type,
                    size=1000,
                    width=512,
                    height=512,
                )
                for g in generations
            ]
        )
    return generations
