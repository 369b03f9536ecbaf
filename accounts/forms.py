from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm

from accounts.models import Role, User


class SignupForm(UserCreationForm):
    email = forms.EmailField(required=True, help_text="For password resets.")

    class Meta:
        model = User
        fields = ("username", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email already exists.")
        return email


class InviteForm(forms.Form):
    email = forms.EmailField(
        required=False,
        help_text="Optional. With an email, the link is emailed to that address instead of shown here, and only "
        "the account with that address can use it.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)
    days = forms.TypedChoiceField(
        label="Link works for",
        choices=[(1, "1 day"), (3, "3 days"), (7, "7 days"), (14, "14 days")],
        coerce=int,
        initial=7,
    )

    def __init__(self, *args, roles: set[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in roles]


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
