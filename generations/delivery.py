"""Delivery checks: once a job's files are stored, what came back is compared with what was asked and paid for.

Checked from the stored files' own measurements (generations.mediainfo) against the request's settings by
their shared meaning (catalog.shared), so one rule covers every provider's field names:

- the kind of output: a video model that returned only images, say;
- the duration of a video or audio, when the request set one: shorter than asked by more than half a second
  and a tenth is a shortfall ("asked 10 s, got 5 s"); longer is not;
- the aspect ratio of images and videos, when the request set one as ``W:H``: off by more than 3 %;
- an audio track on a video, when audio was asked (and paid) for.

Pixel resolution is not compared: providers name tiers (720p, 2K) that they map to sizes of their own, and
the docs give no sizes to hold them to. A mismatch is kept on the job (``delivery_issues``), shown on its card
and page, and listed for staff, who can refund the difference (billing.services.credits_refund).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from catalog.shared import TRUE_WORDS, shared_values
from generations.models import Asset, Generation

SECONDS_SLACK = Decimal("0.5")
SECONDS_SHARE = Decimal("0.1")
ASPECT_SLACK = 0.03
CENT = Decimal("0.01")


def _seconds(value: Any) -> Decimal | None:
    try:
        seconds = Decimal(str(value).strip().lower().removesuffix("s"))
    except (InvalidOperation, ValueError):
        return None
    return seconds if seconds.is_finite() and seconds > 0 else None


def _ratio(value: Any) -> float | None:
    width, sep, height = str(value).partition(":")
    try:
        ratio = float(width) / float(height) if sep else None
    except (ValueError, ZeroDivisionError):
        return None
    return ratio if ratio and ratio > 0 else None


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def delivery_issues(*, output: str, spec: dict[str, Any], params: dict[str, Any], assets: list[Asset]) -> list[dict]:
    """What the stored files lack against the request: ``[{"what", "asked", "got"}]``, empty when they match."""
    issues: list[dict] = []
    if not assets:
        return issues
    values = shared_values(spec, params)
    kinds = sorted({asset.kind for asset in assets})
    if output in {"image", "video", "audio"} and output not in kinds:
        issues.append({"what": "kind", "asked": output, "got": " and ".join(kinds)})
        return issues  # the other checks compare files of the kind asked for
    timed = [a for a in assets if a.kind in {"video", "audio"} and a.kind == output and a.duration is not None]
    asked = _seconds(values.get("duration"))
    if asked and timed:
        got = min(Decimal(a.duration) for a in timed)
        if got < asked - max(SECONDS_SLACK, asked * SECONDS_SHARE):
            issues.append(
                {
                    "what": "duration",
                    "asked": f"{_number(asked)} s",
                    "got": f"{_number(got.quantize(Decimal('0.1')))} s",
                }
            )
    ratio = _ratio(values.get("aspect_ratio"))
    visual = [a for a in assets if a.kind in {"image", "video"} and a.width and a.height]
    if ratio and visual:
        off = [a for a in visual if abs(a.width / a.height - ratio) / ratio > ASPECT_SLACK]
        if off:
            issues.append(
                {"what": "aspect_ratio", "asked": str(values["aspect_ratio"]), "got": f"{off[0].width}×{off[0].height}"}
            )
    sound = values.get("sound")
    if (sound is True or str(sound).strip().lower() in TRUE_WORDS) and output == "video":
        silent = [a for a in assets if a.kind == "video" and a.has_audio is False]
        if silent:
            issues.append({"what": "audio", "asked": "with audio", "got": "no audio track"})
    return issues


def delivery_check(generation: Generation) -> list[dict]:
    """Compare the job's stored files with its request; the issues found (also saved on the job)."""
    assets = list(generation.assets.order_by("index"))
    issues = delivery_issues(
        output=generation.offer.output, spec=generation.offer.spec, params=generation.params, assets=assets
    )
    Generation.objects.filter(pk=generation.pk).update(delivery_issues=issues, delivery_checked_at=timezone.now())
    generation.delivery_issues = issues
    return issues


def refund_suggested(*, charged: Decimal, issues: list[dict]) -> Decimal:
    """The part of the charge that paid for what did not come: the missing share of the seconds for a short
    video or audio; the whole charge when the wrong kind came back; otherwise none (staff decide)."""
    suggested = Decimal(0)
    for issue in issues:
        if issue.get("what") == "kind":
            return charged
        if issue.get("what") == "duration":
            asked, got = _seconds(issue.get("asked")), _seconds(issue.get("got"))
            if asked and got is not None and got < asked:
                suggested = max(suggested, charged * (asked - got) / asked)
    return min(charged, suggested.quantize(CENT, rounding=ROUND_DOWN))
