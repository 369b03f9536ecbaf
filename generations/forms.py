"""The generation form: its fields are built from the chosen offer's catalog spec."""

from __future__ import annotations

from typing import Any

from django import forms

from catalog.models import Offer
from catalog.pricing import QuoteError
from catalog.services import Quote, price_quote

WIDGET_ATTRS = {"class": "input"}


def _field_for(spec: dict[str, Any]) -> forms.Field:
    label = spec.get("label") or spec["name"].replace("_", " ").capitalize()
    common = {"label": label, "required": bool(spec.get("required")), "help_text": spec.get("help", "")}
    kind = spec["type"]
    if kind == "enum":
        choices = [(str(c), str(c)) for c in spec["choices"]]
        if not spec.get("required") and "default" not in spec:
            choices = [("", "—"), *choices]
        return forms.ChoiceField(choices=choices, initial=str(spec.get("default", "")), **common)
    if kind == "integer":
        return forms.IntegerField(
            min_value=spec.get("min"), max_value=spec.get("max"), initial=spec.get("default"), **common
        )
    if kind == "number":
        return forms.DecimalField(
            min_value=spec.get("min"), max_value=spec.get("max"), initial=spec.get("default"), **common
        )
    if kind == "boolean":
        return forms.BooleanField(initial=bool(spec.get("default")), **{**common, "required": False})
    if kind == "media":
        return forms.URLField(
            assume_scheme="https",
            widget=forms.URLInput(attrs={**WIDGET_ATTRS, "placeholder": "https://…"}),
            **{**common, "required": bool(spec.get("min_count"))},
        )
    if kind == "text":
        attrs = {**WIDGET_ATTRS, "rows": 3}
        if spec.get("max_length"):
            attrs["maxlength"] = spec["max_length"]
        return forms.CharField(widget=forms.Textarea(attrs=attrs), strip=True, **common)
    return forms.CharField(initial=spec.get("default"), **common)


class GenerationForm(forms.Form):
    """Validates a request for one offer and prices it; ``self.quote`` holds the price."""

    def __init__(self, *args: Any, offer: Offer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer = offer
        self.quote: Quote | None = None
        self.specs = [s for s in offer.spec.get("fields", []) if not s.get("derived") and s["type"] != "json"]
        for spec in self.specs:
            self.fields[spec["name"]] = _field_for(spec)

    def params(self) -> dict[str, Any]:
        """The cleaned values, named as the provider names them."""
        params: dict[str, Any] = {}
        for spec in self.specs:
            value = self.cleaned_data.get(spec["name"])
            if value in (None, ""):
                continue
            params[spec["name"]] = [value] if spec["type"] == "media" else value
        return params

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.quote = price_quote(offer=self.offer, params=self.params())
        except QuoteError as exc:
            name = exc.details.get("field")
            if name in self.fields:
                self.add_error(name, exc.message)
            else:
                self.add_error(None, exc.message)
        return cleaned
