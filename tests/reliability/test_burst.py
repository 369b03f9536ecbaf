"""200 concurrent submits on a 100-credit wallet against the studio ``make run`` starts (benchmarks/burst.py)."""

from __future__ import annotations

import pytest

from benchmarks.burst import run


@pytest.mark.timeout(400)
def test_a_burst_of_submits_gets_no_5xx_and_spends_exactly_the_wallet():
    report = run(requests=200, credits=100, rate_limit=False)
    assert report["failures"] == [], report
    assert report["accepted"] == report["expected_accepted"] == 25  # Nano Banana costs 4 credits (000 Kubflow)
    assert report["statuses"] == {"201": 25, "402 insufficient_credits": 175}
    assert report["readyz_after_seconds"] <= 1.0
