"""The catalog page's filters (a GET form: every filter is a shareable URL); the staff prices page's forms."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from catalog.models import Category, Provider

CAPABILITY_LABELS = {
    "sound": "Sound",
    "image_input": "Image input",
    "video_input": "Video input",
    "audio_input": "Audio input",
    "negative_prompt": "Negative prompt",
    "seed": "Seed",
}
SORTS = [("name", "Name"), ("price", "Price"), ("speed", "Speed")]


class CatalogFilterForm(forms.Form):
    category = forms.ChoiceField(choices=[("", "All"), *Category.choices], required=False)
    q = forms.CharField(required=False, max_length=100, label="Search")
    provider = forms.ChoiceField(required=False)
    generation_type = forms.ChoiceField(required=False, label="Generation type")
    capability = forms.MultipleChoiceField(
        required=False, choices=list(CAPABILITY_LABELS.items()), widget=forms.CheckboxSelectMultiple
    )
    sort = forms.ChoiceField(choices=SORTS, required=False)

    def __init__(self, *args, generation_types: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        providers = Provider.objects.filter(enabled=True).values_list("slug", "name")
        self.fields["provider"].choices = [("", "Any provider"), *providers]
        self.fields["generation_type"].choices = [("", "Any type")] + [
            (t, t.replace("-", " ")) for t in generation_types
        ]

    def filters(self) -> dict:
        """The valid filters; an invalid value (a stale link) is ignored rather than refused."""
        self.is_valid()
        data = self.cleaned_data  # only the fields that validated
        return {
            "category": data.get("category") or None,
            "provider": data.get("provider") or None,
            "generation_type": data.get("generation_type") or None,
            "capabilities": data.get("capability") or [],
            "search": data.get("q") or "",
            "sort": data.get("sort") or "name",
        }


class ProviderPricingForm(forms.Form):
    credit_rate = forms.DecimalField(max_digits=10, decimal_places=4, min_value=Decimal("0.0001"))
    markup = forms.DecimalField(max_digits=6, decimal_places=4, min_value=Decimal("1"))
    enabled = forms.BooleanField(required=False)


class StudioPriceForm(forms.Form):
    """The studio's own price for an offer without a documented one; empty clears it."""

    credits = forms.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), required=False
    )


class EnabledForm(forms.Form):
    enabled = forms.BooleanField(required=False)
