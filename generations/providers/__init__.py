"""Provider clients, one module per provider, all behind generations.providers.base."""

from __future__ import annotations

from django.conf import settings

from generations.providers.base import ProviderClient, ProviderError
from generations.providers.kubflow import KubflowClient

_CLIENTS = {"kubflow": KubflowClient}


def client_for(provider_slug: str) -> ProviderClient:
    try:
        client_class = _CLIENTS[provider_slug]
    except KeyError:
        raise ProviderError(
            "provider_unavailable", f"The studio cannot run jobs on {provider_slug} yet", permanent=True
        ) from None
    config = settings.PROVIDERS[provider_slug]
    return client_class(base_url=config["base_url"], api_key=config["api_key"])


__all__ = ["ProviderClient", "ProviderError", "client_for"]
