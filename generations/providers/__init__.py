"""Provider clients, one module per provider, all behind generations.providers.base."""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.utils.module_loading import import_string

from generations.providers.base import ProviderClient, ProviderError

CLIENTS = {
    "kubflow": "generations.providers.kubflow.KubflowClient",
    "kubeez": "generations.providers.kubeez.KubeezClient",
    "krea": "generations.providers.krea.KreaClient",
    "cliprise": "generations.providers.cliprise.ClipriseClient",
}


def cancel_call_for(provider_slug: str) -> str | None:
    """The provider's documented call that stops a job (``DELETE /jobs/{id}``), or None where it has none."""
    try:
        return import_string(CLIENTS[provider_slug]).cancel_call
    except (KeyError, ImportError):
        return None


def calls_back(provider_slug: str) -> bool:
    """True when the provider POSTs the job's webhook URL once the job finishes (Krea, Cliprise)."""
    try:
        return bool(getattr(import_string(CLIENTS[provider_slug]), "calls_back", False))
    except (KeyError, ImportError):
        return False


KEPT_MAX = 16
_kept = threading.local()  # this thread's clients: (pid, slug, base URL, key) -> client


def client_for(provider_slug: str) -> ProviderClient:
    """The provider's client for this thread, made once and kept, so its HTTP connections are reused
    (keep-alive: no TCP or TLS handshake per call). Keyed by process as well: a forked child makes its own."""
    config = settings.PROVIDERS.get(provider_slug) or {}
    key = (os.getpid(), provider_slug, config.get("base_url"), config.get("api_key"))
    clients = getattr(_kept, "clients", None)
    if clients is None:
        clients = _kept.clients = {}
    client = clients.get(key)
    if client is None:
        if len(clients) >= KEPT_MAX:  # settings changed many times over (tests): let the old ones go
            for old in clients.values():
                old.http.close()
            clients.clear()
        client = clients[key] = _client_new(provider_slug, config)
    return client


def _client_new(provider_slug: str, config: dict[str, str]) -> ProviderClient:
    try:
        client_class = import_string(CLIENTS[provider_slug])
    except (KeyError, ImportError):
        raise ProviderError(
            "provider_unavailable", f"The studio cannot run jobs on {provider_slug} yet", permanent=True
        ) from None
    return client_class(base_url=config["base_url"], api_key=config["api_key"])


def deadline_for(provider_slug: str, spec: dict) -> timedelta | None:
    """A provider's own deadline for an offer, where its docs give one (Krea: ~3 min own models, 2 h others)."""
    try:
        module = import_module(CLIENTS[provider_slug].rsplit(".", 1)[0])
    except (KeyError, ImportError):
        return None
    seconds = getattr(module, "deadline_seconds", None)
    return timedelta(seconds=seconds(spec)) if seconds else None


__all__ = ["ProviderClient", "ProviderError", "calls_back", "client_for", "deadline_for"]
