from __future__ import annotations

from django import forms


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Name",
        help_text="What the key is for, e.g. “batch renders” or “Zapier”.",
        widget=forms.TextInput(attrs={"class": "input", "placeholder": "batch renders"}),
    )
