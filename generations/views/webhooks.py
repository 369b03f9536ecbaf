"""Provider callbacks."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from generations.services.pipeline import generation_webhook_received


@csrf_exempt
@require_POST
def provider_webhook(request: HttpRequest, provider: str, token: str) -> HttpResponse:
    """A provider's callback. Never trusted alone: it only triggers an immediate status read."""
    if not generation_webhook_received(provider_slug=provider, token=token):
        raise Http404("Unknown callback")
    return JsonResponse({"ok": True})
