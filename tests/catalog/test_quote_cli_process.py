"""The quote command as automated checks run it: a separate process, JSON on stdout, exit 0 or 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.services import catalog_sync
from tests.conftest import _database_url

ROOT = Path(__file__).resolve().parents[2]

# The process reads the test database through its own connection, so the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> tuple[int, dict]:
    env = {**os.environ, "DATABASE_URL": _database_url()}
    done = subprocess.run(
        [sys.executable, "manage.py", "quote", *args],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, json.loads(done.stdout)


def test_quote_process_prints_the_price_and_exits_0():
    catalog_sync(providers=["kubeez"])
    code, body = run("kubeez", "gpt-image-2", "prompt=a red shoe", "resolution=4K", "aspect_ratio=9:16")
    # "gpt-image-2 (t2i + i2i) | 1K (default), 2K, 4K | 11 / 15 / 21 credits"
    assert code == 0
    assert body == {
        "provider": "kubeez",
        "model": "gpt-image-2",
        "provider_cost": "21",
        "unit": "credits",
        "credits": "21.00",
        "breakdown": "GPT Image 2 (4K): 21 credits",
    }


def test_quote_process_prints_the_docs_error_and_exits_2():
    catalog_sync(providers=["kubeez"])
    code, body = run("kubeez", "seedance-2-fast", "prompt=x")
    assert code == 2
    assert body["error"] == "variant_required"
    # The doc's own example: "available_variants": [...the four seedance-2-fast ids...]
    assert body["available_variants"] == [
        "seedance-2-fast-480p",
        "seedance-2-fast-720p",
        "seedance-2-fast-480p-video-ref",
        "seedance-2-fast-720p-video-ref",
    ]
    code, body = run("kubeez", "no-such-model")
    assert (code, body["error"]) == (2, "unknown_model")
