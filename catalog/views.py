from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from catalog.selectors import offers_enabled


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    offers = offers_enabled().order_by("category", "family__name", "provider__name")
    return render(request, "catalog/index.html", {"offers": offers})
