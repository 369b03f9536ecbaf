"""The generation form: its fields are built from the chosen offer's catalog spec.

Each spec field becomes one form field named as the provider names it (selects
for enums, number inputs with min/max, checkboxes, text). A source-media field
becomes a URL input (one URL, or one per line where the model takes several)
plus a file input named ``<field>__files``; ``files_for_generation()`` hands the
uploaded files on, ``params()`` holds only the URLs. The price and every rule
come from the catalog engine, so the form refuses exactly what ``manage.py
quote`` refuses. A media field whose length an offer bills (a derived field's
``measures``) also gets a hidden ``<field>__seconds``: the lengths the browser
read from the picked files, an estimate for the live price only (submitting
measures the files themselves, see generations.measure).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator

from accounts.models import Team
from catalog.models import Offer
from catalog.pricing import (
    AUDIO_EXTENSIONS,
    IMAGE_EXTENSIONS,
    VIDEO_EXTENSIONS,
    QuoteError,
    media_kind,
    offer_measures,
)
from catalog.services import Quote, RateQuote, price_quote, price_rate_quote
from catalog.shared import shared_apply, shared_values
from generations.batches import MAX_VARIATIONS
from generations.measure import MediaMeter, length_hints_parse, media_lengths_fill
from generations.uploads import MEDIA_SCHEME

WIDGET_ATTRS = {"class": "input"}
FILES_SUFFIX = "__files"
NAMES_SUFFIX = "__names"  # file names picked but not uploaded yet: the live quote counts them
SECONDS_SUFFIX = "__seconds"  # lengths the browser read from picked files: the live quote's estimate
ACCEPT = {
    "image": ",".join(("image/*", *IMAGE_EXTENSIONS)),
    "video": ",".join(("video/*", *VIDEO_EXTENSIONS)),
    "audio": ",".join(("audio/*", *AUDIO_EXTENSIONS)),
}
_url = URLValidator(schemes=["http", "https"])


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more uploaded files (Django's documented pattern for ``multiple``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class MediaURLField(forms.CharField):
    """One URL, or one per line: always a list of http(s) URLs (or references to the team's earlier
    uploads, ``media://…``) once cleaned."""

    def __init__(self, *args: Any, many: bool, **kwargs: Any) -> None:
        if many:
            widget = forms.Textarea(attrs={**WIDGET_ATTRS, "rows": 2, "placeholder": "https://… (one per line)"})
        else:
            widget = forms.URLInput(attrs={**WIDGET_ATTRS, "placeholder": "https://…"})
        super().__init__(*args, widget=widget, **kwargs)

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            lines = [str(v).strip() for v in value]
        else:
            lines = [line.strip() for line in str(value or "").replace(",", "\n").splitlines()]
        return [line for line in lines if line]

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        for url in value:
            if url.startswith(MEDIA_SCHEME):
                continue  # an earlier upload of the team (a remix carries it): checked when submitted
            try:
                _url(url)
            except ValidationError:
                raise ValidationError(f"{url[:80]} is not an http(s) URL", code="invalid") from None


class JSONTextField(forms.CharField):
    """A structured value (a list of shots, elements, style references) typed as JSON."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        widget = forms.Textarea(attrs={**WIDGET_ATTRS, "rows": 3, "spellcheck": "false", "placeholder": "JSON"})
        super().__init__(*args, widget=widget, **kwargs)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise ValidationError("This must be valid JSON", code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        return value if isinstance(value, str) or value is None else json.dumps(value)


def _label(spec: dict[str, Any]) -> str:
    return spec.get("label") or spec["name"].replace("_", " ").capitalize()


def _number_attrs(spec: dict[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {**WIDGET_ATTRS}
    for key in ("min", "max", "step"):
        if key in spec:
            attrs[key] = spec[key]
    if spec["type"] == "number" and "step" not in spec:
        attrs["step"] = "any"
    return attrs


def _help(spec: dict[str, Any]) -> str:
    bits = [spec.get("help") or ""]
    if spec["type"] in {"integer", "number"} and ("min" in spec or "max" in spec):
        bits.append(f"{spec.get('min', '…')}–{spec.get('max', '…')}{spec.get('suffix', '')}")
    if spec.get("max_length"):
        bits.append(f"up to {spec['max_length']:,} characters")
    if spec["type"] == "media":
        kinds = "/".join(spec.get("kinds") or ["file"])
        low, high = spec.get("min_count", 0), spec.get("max_count")
        count = f"{low}–{high}" if high is not None and high != low else str(high) if high is not None else f"{low}+"
        bits.append(f"{count} {kinds}")
        if spec.get("max_bytes"):
            bits.append(f"≤ {spec['max_bytes'] // (1 << 20)} MB each")
    return " · ".join(b for b in bits if b)


def _field_for(spec: dict[str, Any]) -> forms.Field:
    common = {"label": _label(spec), "required": bool(spec.get("required")), "help_text": _help(spec)}
    kind = spec["type"]
    if kind == "enum":
        choices = [(str(c), str(c)) for c in spec["choices"]]
        if not spec.get("required") and "default" not in spec:
            choices = [("", "— provider default —"), *choices]
        return forms.ChoiceField(
            choices=choices,
            initial=str(spec.get("default", "")),
            widget=forms.Select(attrs=WIDGET_ATTRS),
            **common,
        )
    if kind == "integer":
        return forms.IntegerField(
            min_value=spec.get("min"),
            max_value=spec.get("max"),
            initial=spec.get("default"),
            widget=forms.NumberInput(attrs=_number_attrs(spec)),
            **common,
        )
    if kind == "number":
        return forms.DecimalField(
            min_value=spec.get("min"),
            max_value=spec.get("max"),
            initial=spec.get("default"),
            widget=forms.NumberInput(attrs=_number_attrs(spec)),
            **common,
        )
    if kind == "boolean":
        return forms.BooleanField(
            initial=bool(spec.get("default")), widget=forms.CheckboxInput(attrs={"role": "switch"}), label=common["label"],
            required=False, help_text=common["help_text"],
        )  # fmt: skip
    if kind == "media":
        many = spec.get("max_count", 1 << 30) > 1
        # Not required here: an uploaded file may stand in for the URL; the engine counts both.
        return MediaURLField(many=many, **{**common, "required": False})
    if kind == "text":
        # No maxlength attribute: a pasted prompt that is too long should say so, not be cut silently.
        attrs = {**WIDGET_ATTRS, "rows": 3}
        if spec.get("max_length"):
            attrs["data-max-length"] = spec["max_length"]
        return forms.CharField(widget=forms.Textarea(attrs=attrs), strip=True, **common)
    if kind == "json":
        return JSONTextField(initial=spec.get("default"), **common)
    return forms.CharField(initial=spec.get("default"), widget=forms.TextInput(attrs=WIDGET_ATTRS), **common)


MAIN_SHARED = {"prompt", "duration", "resolution", "aspect_ratio", "sound", "source_images", "source_videos",
               "source_audio"}  # fmt: skip


def _advanced(spec: dict[str, Any]) -> bool:
    if spec.get("required") or spec.get("min_count") or spec.get("shared") in MAIN_SHARED:
        return False
    return spec["type"] in {"json", "string", "number", "integer"} or spec.get("shared") == "seed"


def widget_value(spec: dict[str, Any], value: Any) -> Any:
    """A parameter value as the field's widget shows it (for carried-over values)."""
    if spec["type"] == "media":
        return "\n".join(value) if isinstance(value, list) else value
    if spec["type"] == "enum":
        return str(value)
    return value


def _offer_fields(spec_fields: list[dict[str, Any]], measured: set[str]) -> dict[str, forms.Field]:
    """The form fields for an offer's visible spec fields (media ones with their upload companions;
    ``measured`` media fields also with their browser-read lengths)."""
    fields: dict[str, forms.Field] = {}
    for spec in spec_fields:
        field = _field_for(spec)
        if spec.get("shared"):
            field.widget.attrs["data-shared"] = spec["shared"]
        fields[spec["name"]] = field
        if spec["type"] == "media":
            kinds = spec.get("kinds") or ["image"]
            multiple = spec.get("max_count", 1 << 30) > 1
            widget = MultipleFileInput() if multiple else forms.FileInput()
            upload = MultipleFileField(required=False, label=f"{_label(spec)}: upload", widget=widget)
            names_id = f"id_{spec['name']}{NAMES_SUFFIX}"
            upload.widget.attrs.update(
                {
                    "accept": ",".join(ACCEPT.get(k, "") for k in kinds),
                    # The live quote sends no file bytes, only the names picked, so it can count them
                    # (static/js/studio.js writes them there: the CSP allows no inline handler).
                    "data-names-into": names_id,
                }
            )
            fields[spec["name"] + FILES_SUFFIX] = upload
            fields[spec["name"] + NAMES_SUFFIX] = forms.CharField(
                required=False, widget=forms.HiddenInput(attrs={"data-file-names": spec["name"]})
            )
            if spec["name"] in measured:
                # static/js/studio.js fills it from the files' metadata (JSON seconds by kind).
                fields[spec["name"] + SECONDS_SUFFIX] = forms.CharField(
                    required=False, widget=forms.HiddenInput(attrs={"data-measure-for": spec["name"]})
                )
    return fields


# Built fields by (offer id, synced_at): the live quote builds this form on every keystroke, so they
# are built once per spec.
_FIELDS_CACHE: dict[tuple[int, Any], dict[str, forms.Field]] = {}
_FIELDS_CACHE_MAX = 512


# How many variations to run as one batch (generations.batches): not a provider field, never sent. Built once
# and shared like the offer's fields (a declared field would be deep-copied on every keystroke's quote).
_VARIATIONS_FIELD = forms.TypedChoiceField(
    label="Variations",
    choices=[(n, str(n)) for n in range(1, MAX_VARIATIONS + 1)],
    coerce=int,
    empty_value=1,
    required=False,
    initial=1,
    help_text="The same settings run several times, the seed varied where the model has one; each is held "
    "and charged on its own, so a failed one costs nothing.",
)


class GenerationForm(forms.Form):
    """Validates a request for one offer and prices it; ``self.quote`` holds the price (of one variation)."""

    def __init__(self, *args: Any, offer: Offer, team: Team | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer = offer
        self.team = team  # whose uploads and earlier outputs the live quote may read lengths from
        self.quote: Quote | None = None
        self.rate: RateQuote | None = None  # the price as a rate, while a billed media length is unknown
        self.quote_error: QuoteError | None = None
        self.specs = [s for s in offer.spec.get("fields", []) if not s.get("derived")]
        self.measured_sources = {m.source for m in offer_measures(offer.spec)}
        cache_key = (offer.pk, offer.synced_at)
        built = _FIELDS_CACHE.get(cache_key) if offer.pk else None
        if built is None:
            built = _offer_fields(self.specs, self.measured_sources)
            if offer.pk:
                if len(_FIELDS_CACHE) >= _FIELDS_CACHE_MAX:
                    _FIELDS_CACHE.clear()
                _FIELDS_CACHE[cache_key] = built
        # Shared, not copied: nothing changes a field after it is built (Django copies declared fields only
        # so that an instance may alter its own; this form never does), and the live quote builds this form
        # on every keystroke.
        self.fields["variations"] = _VARIATIONS_FIELD
        self.fields.update(built)

    @classmethod
    def carried(cls, *, offer: Offer, previous: Offer | None, data: Any) -> dict[str, Any]:
        """Initial values for ``offer`` from what the user had typed for ``previous``.

        Values move by their shared meaning (prompt, duration, aspect ratio, ...),
        never by field name: Kubeez's "5s" duration becomes Krea's 5.
        """
        if previous is None:
            return {}
        raw: dict[str, Any] = {}
        for spec in previous.spec.get("fields", []):
            if spec.get("shared") and data.get(spec["name"]) not in (None, ""):
                value = data.get(spec["name"])
                if spec["type"] == "boolean":
                    value = str(value).lower() in {"on", "true", "1"}
                raw[spec["name"]] = value
        values = shared_values(previous.spec, raw)
        specs = {s["name"]: s for s in offer.spec.get("fields", [])}
        return {name: widget_value(specs[name], value) for name, value in shared_apply(offer.spec, values).items()}

    # --- what the form hands on --------------------------------------------------------

    @property
    def count(self) -> int:
        """How many variations were asked for (1 unless the form is bound and says more)."""
        data = getattr(self, "cleaned_data", None) or {}
        return data.get("variations") or 1

    @property
    def total_credits(self) -> Decimal | None:
        """What submitting holds: one variation's price times the count (None while there is no price)."""
        return self.quote.credits * self.count if self.quote else None

    def params(self) -> dict[str, Any]:
        """The cleaned values, named as the provider names them (media: the typed URLs only)."""
        params: dict[str, Any] = {}
        for spec in self.specs:
            value = self.cleaned_data.get(spec["name"])
            if value in (None, "", []):
                continue
            params[spec["name"]] = value
        return params

    def files_for_generation(self) -> dict[str, list[UploadedFile]]:
        """Uploaded source files by media field, for the provider client to pass along.

        Hook for uploads: the generation service stores these and adds them to
        the field's URL list (or hands the bytes to providers with an upload API).
        """
        files = {}
        for spec in self.specs:
            uploaded = self.cleaned_data.get(spec["name"] + FILES_SUFFIX) or []
            if uploaded:
                files[spec["name"]] = list(uploaded)
        return files

    def rows(self) -> list[dict[str, Any]]:
        """The fields in spec order, each media field with its upload and file-name companions.

        ``advanced`` rows (a seed, JSON structures, free-text extras nobody must fill in) go under
        "More settings"; everything that is required, priced or shared stays in view.
        """
        rows = []
        for spec in self.specs:
            field = self[spec["name"]]
            row = {
                "field": field,
                "spec": spec,
                "upload": None,
                "names": None,
                "seconds": None,
                "advanced": _advanced(spec),
            }
            if spec["type"] == "media":
                row["upload"] = self[spec["name"] + FILES_SUFFIX]
                row["names"] = self[spec["name"] + NAMES_SUFFIX]
                if spec["name"] in self.measured_sources:
                    row["seconds"] = self[spec["name"] + SECONDS_SUFFIX]
            rows.append(row)
        return rows

    def main_rows(self) -> list[dict[str, Any]]:
        return [row for row in self.rows() if not row["advanced"]]

    def advanced_rows(self) -> list[dict[str, Any]]:
        return [row for row in self.rows() if row["advanced"]]

    def advanced_open(self) -> bool:
        """Open "More settings" when something in it has a value or an error."""
        return any(row["field"].errors or row["field"].value() not in (None, "", False) for row in self.advanced_rows())

    # --- validation -----------------------------------------------------------------------

    def _pending_names(self, spec: dict[str, Any]) -> list[str]:
        """Files for this field: uploaded ones, else the names the browser says were picked (live quote)."""
        uploaded = self.cleaned_data.get(spec["name"] + FILES_SUFFIX) or []
        if uploaded:
            return [f.name for f in uploaded]
        raw = self.cleaned_data.get(spec["name"] + NAMES_SUFFIX) or ""
        try:
            names = json.loads(raw) if raw else []
        except ValueError:
            names = []
        return [str(n) for n in names if isinstance(n, str)][:100]

    def _check_uploads(self, spec: dict[str, Any]) -> None:
        kinds = spec.get("kinds")
        for upload in self.cleaned_data.get(spec["name"] + FILES_SUFFIX) or []:
            if kinds and media_kind(upload.name) not in kinds:
                self.add_error(spec["name"], f"{upload.name}: this model takes {'/'.join(kinds)} files here")
            if spec.get("max_bytes") and upload.size > spec["max_bytes"]:
                limit = spec["max_bytes"] // (1 << 20)
                self.add_error(spec["name"], f"{upload.name} is larger than {limit} MB")

    def quote_params(self) -> dict[str, Any]:
        """``params()`` with picked files counted as inputs (by their names), for the price and the rules."""
        params = self.params()
        for spec in self.specs:
            if spec["type"] != "media":
                continue
            names = self._pending_names(spec)
            if names:
                stand_ins = [f"upload:{PurePosixPath(n).name}" for n in names]
                params[spec["name"]] = [*params.get(spec["name"], []), *stand_ins]
        return params

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for spec in self.specs:
            if spec["type"] == "media":
                self._check_uploads(spec)
        if self.errors:
            return cleaned
        hints = {
            name: length_hints_parse(self.cleaned_data.get(name + SECONDS_SUFFIX) or "")
            for name in self.measured_sources
        }
        try:
            # No download here (this runs on every keystroke): lengths the studio knows, else the browser's.
            measured = media_lengths_fill(
                spec=self.offer.spec,
                params=self.quote_params(),
                meter=MediaMeter(team=self.team, fetch=False),
                hints=hints,
            )
            if measured.pending:  # offers bill at most one measured length; it is priced as a rate
                self.rate = price_rate_quote(offer=self.offer, params=measured.params, name=measured.pending[0].name)
            else:
                self.quote = price_quote(offer=self.offer, params=measured.params)
        except QuoteError as exc:
            self.quote_error = exc
            name = exc.details.get("field")
            if name in self.fields:
                self.add_error(name, exc.message)
            else:
                self.add_error(None, exc.message)
        return cleaned

    def blocking_reason(self, balance_after: Decimal | None = None) -> str:
        """Why the request can't be submitted as it stands, in a few words; "" when it can."""
        if not self.is_bound:
            return ""
        if self.errors:
            missing = [
                self.fields[name].label
                for name, errors in self.errors.items()
                if name in self.fields and any(e.code == "required" for e in errors.as_data())
            ]
            if missing:
                return f"Fill in {', '.join(str(m).lower() for m in missing)} first"
            if self.quote_error is not None and self.quote_error.code == "price_unavailable":
                return "This model has no documented price"
            for name, errors in self.errors.items():
                label = self.fields[name].label if name in self.fields else ""
                return f"{label}: {errors[0]}" if label else str(errors[0])
        if balance_after is not None and balance_after < 0:
            return "Not enough credits for this request"
        return ""


class DeliveryRefundForm(forms.Form):
    """Staff: give back part of a job's charge for a delivery that fell short."""

    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("1e12"))
    reason = forms.CharField(max_length=255)
    idempotency_key = forms.RegexField(regex=r"^refund:[0-9a-f]{32}$", widget=forms.HiddenInput)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why: the reason is recorded in the team's ledger.")
        return reason
