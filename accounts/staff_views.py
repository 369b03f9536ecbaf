"""The staff's view of sign-in lockouts (accounts.lockouts): who is locked out, and unlocking them."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import staff_required
from accounts.lockouts import lockout_clear, lockouts_active


class UnlockForm(forms.Form):
    kind = forms.ChoiceField(choices=[("username", "Username"), ("address", "Address")])
    value = forms.CharField(max_length=255)


@staff_required
@require_GET
def lockouts(request: HttpRequest) -> HttpResponse:
    context = {
        "lockouts": lockouts_active(),
        "limit": settings.AXES_FAILURE_LIMIT,
        "cool_off_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "staff/lockouts.html", context)


@staff_required
@require_POST
def lockout_unlock(request: HttpRequest) -> HttpResponse:
    form = UnlockForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Say which username or address to unlock.", status=422)
    kind, value = form.cleaned_data["kind"], form.cleaned_data["value"]
    lockout_clear(kind=kind, value=value, actor=request.user)
    messages.success(request, f"Unlocked {value}: it can sign in again.")
    return redirect("staff_lockouts:index")
