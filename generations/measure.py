"""Lengths of the media a request uses, for offers priced per second of it.

Some offers bill "per second of the reference video" or "per second of audio":
their spec has a derived seconds field whose ``measures`` key names the media
field it measures (catalog/data/SCHEMA.md, "Measured lengths"). Before a
request is quoted and its credits held, :func:`media_lengths_fill` puts the
measured length there:

- an upload (``media://…``) was probed when it was stored (``SourceMedia.duration``);
- an earlier output or an upload behind the studio's own signed file link
  (generations/signed.py) has its ``Asset.duration`` / ``SourceMedia.duration``;
- any other URL is fetched through the SSRF-safe fetcher and probed.

Lengths are seconds to the millisecond, as the file's container states them.
Whole-second billing is left to the price itself (``"round": "up"`` in the
spec, see catalog/pricing.py), so a measured length is billed by the same
convention as a length typed on the CLI; Kubflow's per-minute speech-to-text
stays unrounded, as NOTES-kubflow.md reads its docs.

The composer's live quote measures without downloading (``fetch=False``): a
length the browser read from the picked file stands in as an estimate, and a
length nobody knows yet leaves the field pending (the composer then shows the
rate). Submitting always measures the real files again.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from django.conf import settings

from accounts.models import Team
from catalog.pricing import Measure, QuoteError, fmt, media_kind, media_list, offer_measures
from generations.mediainfo import MediaError, media_probe
from generations.models import Asset, SourceMedia
from generations.outbound.fetch import FetchError, fetch_to_file
from generations.outbound.rules import UnsafeURLError
from generations.signed import signed_file_for_url
from generations.uploads import LIMITS, MAX_UPLOAD, MEDIA_SCHEME

MILLISECOND = Decimal("0.001")
HINT_MAX_SECONDS = Decimal(24 * 3600)
FETCH_TIMEOUT = 20.0  # per connect/read
FETCH_TOTAL_TIMEOUT = 90.0  # the whole download of one source URL


class MeasureError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _short(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "…"


class MediaMeter:
    """Measures the files and URLs of one request, each at most once.

    ``fetch`` False (the live quote) only reads lengths the studio already
    knows; True (submitting) also downloads the URLs the user gave. Lookups
    are limited to ``team``'s uploads and outputs.
    """

    def __init__(self, *, team: Team | None, fetch: bool) -> None:
        self.team = team
        self.fetch = fetch
        self._known: dict[str, Decimal | MeasureError | None] = {}

    def seconds(self, ref: str) -> Decimal | None:
        """The length of one media value in seconds; None when it can't be known without fetching."""
        if ref not in self._known:
            try:
                self._known[ref] = self._measure(ref)
            except MeasureError as exc:
                self._known[ref] = exc
        known = self._known[ref]
        if isinstance(known, MeasureError):
            raise known
        return known

    def _measure(self, ref: str) -> Decimal | None:
        if ref.startswith(MEDIA_SCHEME):
            return self._upload(ref)
        if not ref.startswith(("http://", "https://")):
            return None  # a picked file not uploaded yet (the live quote's "upload:<name>")
        own = self._own_file(ref)
        if own is not None:
            if own.duration is None:
                name = own.original_name if isinstance(own, SourceMedia) else own.filename
                raise MeasureError("media_unreadable", f"The studio could not tell how long {name} is.")
            return own.duration
        return self._download(ref) if self.fetch else None

    def _upload(self, ref: str) -> Decimal | None:
        if self.team is None:
            return None
        public_id = ref[len(MEDIA_SCHEME) :].rsplit(".", 1)[0]
        media = SourceMedia.objects.filter(team=self.team, public_id=public_id).only("duration", "original_name")
        media = media.first()
        if media is None:
            raise MeasureError("invalid_params", "That uploaded file does not exist.")
        if media.duration is None:
            raise MeasureError("media_unreadable", f"The studio could not tell how long {media.original_name} is.")
        return media.duration

    def _own_file(self, url: str) -> Asset | SourceMedia | None:
        """The team's earlier output or upload behind one of the studio's own signed file links, if ``url`` is one."""
        return signed_file_for_url(url, team=self.team) if self.team is not None else None

    def _download(self, url: str) -> Decimal:
        kind = media_kind(url)
        limit = LIMITS[kind][0] if kind in LIMITS else MAX_UPLOAD
        with tempfile.NamedTemporaryFile(suffix=".source", delete=False) as handle:
            path = handle.name
            try:
                fetch_to_file(
                    url,
                    handle,
                    max_bytes=limit,
                    allow_hosts=settings.OUTBOUND_URL_ALLOWLIST,
                    timeout=FETCH_TIMEOUT,
                    total_timeout=FETCH_TOTAL_TIMEOUT,
                )
            except UnsafeURLError as exc:
                os.unlink(path)
                raise MeasureError(exc.code, exc.message) from exc
            except FetchError as exc:
                os.unlink(path)
                raise MeasureError(
                    "source_fetch_failed", f"The studio could not fetch {_short(url)} to measure it: {exc.message}"
                ) from exc
        try:
            info = media_probe(path)
        except MediaError as exc:
            raise MeasureError("media_unreadable", f"{_short(url)}: {exc}") from exc
        finally:
            os.unlink(path)
        if info.duration is None:
            raise MeasureError("media_unreadable", f"The studio could not tell how long {_short(url)} is.")
        return info.duration


@dataclass(frozen=True)
class MeasuredParams:
    """A request's params with its measured lengths filled in."""

    params: dict[str, Any]
    pending: list[Measure] = field(default_factory=list)  # media given, length not known yet (live quote only)
    notes: list[str] = field(default_factory=list)  # measured but billed otherwise, in words for the breakdown


def length_hints_parse(raw: str) -> dict[str, Decimal]:
    """The browser's lengths for one media field (``{"video": 12.4}``), seconds by kind; junk is ignored."""
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    hints = {}
    for kind, value in data.items() if isinstance(data, dict) else []:
        if kind not in {"video", "audio"} or isinstance(value, bool) or not isinstance(value, int | float | str):
            continue
        try:
            seconds = Decimal(str(value)).quantize(MILLISECOND, rounding=ROUND_CEILING)
        except (InvalidOperation, ValueError):
            continue
        if seconds.is_finite() and 0 <= seconds <= HINT_MAX_SECONDS:
            hints[kind] = seconds
    return hints


def _media_values(value: Any) -> list[str]:
    """A media field's values as the engine reads them: a list, or a JSON list or comma-separated string."""
    value = media_list(value)
    return [v for v in value or [] if isinstance(v, str)] if isinstance(value, list) else []


def _hinted(measure: Measure, hints: dict[str, dict[str, Decimal]]) -> Decimal | None:
    by_kind = hints.get(measure.source) or {}
    if measure.kind:
        return by_kind.get(measure.kind)
    return sum(by_kind.values(), Decimal(0)) if by_kind else None


def _frames_seconds(measure: Measure, params: dict[str, Any]) -> Decimal | None:
    """frames ÷ fps when the request sets both (the length is then chosen, not measured)."""
    if measure.frames is None:
        return None
    frames, fps = (params.get(name) for name in measure.frames)
    if frames in (None, "") or fps in (None, ""):
        return None
    try:
        frames, fps = Decimal(str(frames)), Decimal(str(fps))
    except (InvalidOperation, ValueError):
        return None  # the engine refuses the malformed number itself
    if fps <= 0 or frames < 0:
        return None
    return (frames / fps).quantize(MILLISECOND, rounding=ROUND_CEILING)


def _check_limits(measure: Measure, seconds: Decimal, refs: list[str], offer_name: str) -> None:
    kind = measure.kind or (media_kind(refs[0]) if refs else None) or "file"
    kind = "audio clip" if kind == "audio" else kind
    if not refs:
        subject = f"{' ÷ '.join(measure.frames or ())} makes {fmt(seconds)} s"
    elif len(refs) == 1:
        subject = f"This {kind} is {fmt(seconds)} s long"
    else:
        subject = f"These {kind}s last {fmt(seconds)} s together"
    where = measure.source if refs or not measure.frames else measure.frames[0]
    if measure.maximum is not None and seconds > measure.maximum:
        raise QuoteError(
            "invalid_params",
            f"{subject}; {offer_name} takes at most {fmt(measure.maximum)} s.",
            field=where,
            measured=fmt(seconds),
            max=fmt(measure.maximum),
        )
    if measure.minimum is not None and seconds < measure.minimum:
        raise QuoteError(
            "invalid_params",
            f"{subject}; {offer_name} needs at least {fmt(measure.minimum)} s.",
            field=where,
            measured=fmt(seconds),
            min=fmt(measure.minimum),
        )


def media_lengths_fill(
    *,
    spec: dict[str, Any],
    params: dict[str, Any],
    meter: MediaMeter,
    hints: dict[str, dict[str, Decimal]] | None = None,
) -> MeasuredParams:
    """``params`` with every measured field of the offer set from the media it measures.

    A value the caller gave for a measured field is dropped: the studio bills
    what it measured. A field whose media is absent stays unset (the engine then
    says what is missing). ``hints`` (the browser's lengths by media field and
    kind) stand in for lengths the meter can't know without fetching; with
    neither, the field is ``pending``. Raises QuoteError, with ``field`` naming
    the media field, for a length outside the field's limits or a source that
    can't be fetched or read.
    """
    measures = offer_measures(spec)
    if not measures:
        return MeasuredParams(params=params)
    params = dict(params)
    pending: list[Measure] = []
    notes: list[str] = []
    for measure in measures:
        params.pop(measure.name, None)
        seconds = _frames_seconds(measure, params)
        refs: list[str] = []
        if seconds is None:
            values = _media_values(params.get(measure.source))
            refs = [v for v in values if measure.kind is None or media_kind(v) == measure.kind]
            if not refs:
                continue
            try:
                lengths = [meter.seconds(ref) for ref in refs]
            except MeasureError as exc:
                raise QuoteError(exc.code, exc.message, field=measure.source) from exc
            if any(length is None for length in lengths):
                seconds = _hinted(measure, hints or {})
                if seconds is None and measure.billed == "default" and measure.default is not None:
                    params[measure.name] = measure.default  # the price doesn't wait on it; its limits do
                    continue
                if seconds is None and measure.billed == "none":
                    continue  # no price waits on it: its limits are checked once it is measured (on submit)
                if seconds is None:
                    pending.append(measure)
                    continue
            else:
                seconds = sum(lengths, Decimal(0))
        _check_limits(measure, seconds, refs, spec.get("name", "this model"))
        if measure.billed == "default" and measure.default is not None:
            params[measure.name] = measure.default
            what = f"{measure.kind or 'media'} measured {fmt(seconds)} s"
            notes.append(f"{what}; the provider bills API requests as {fmt(measure.default)} s")
        else:
            params[measure.name] = Decimal(fmt(seconds))  # 7.25, not 7.250, on the generation's page
    return MeasuredParams(params=params, pending=pending, notes=notes)
