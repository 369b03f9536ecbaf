"""Provider clients are made once per thread and process and kept, so calls reuse their HTTP connections."""

from __future__ import annotations

import threading

import pytest

from generations.providers import client_for
from generations.providers.base import ProviderError


def test_calls_in_one_thread_share_one_client(sandbox):
    # The sandbox (wsgiref, HTTP/1.0) closes every connection, so keep-alive itself is not seen here; what
    # this holds is that one client, and so one connection pool, serves every call of the thread.
    client = client_for("kubflow")
    for _ in range(3):
        with pytest.raises(ProviderError):  # a job the sandbox never saw: answered, and the client still works
            client_for("kubflow").status("gen_unknown_for_reuse", {})
        assert client_for("kubflow") is client


def test_another_thread_gets_a_client_of_its_own(sandbox):
    mine = client_for("kubflow")
    theirs = []
    thread = threading.Thread(target=lambda: theirs.append(client_for("kubflow")))
    thread.start()
    thread.join()
    assert theirs[0] is not mine


def test_a_changed_api_key_gets_a_new_client(sandbox, settings):
    before = client_for("kubflow")
    settings.PROVIDERS = {**settings.PROVIDERS, "kubflow": {**settings.PROVIDERS["kubflow"], "api_key": "other-key"}}
    after = client_for("kubflow")
    assert after is not before
    assert after.http.headers["Authorization"] == "Bearer other-key"
