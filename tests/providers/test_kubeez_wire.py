"""Kubeez' duration is sent as its docs write it, and read in the doc's format or as a bare number.

002, generate_media parameters: "| duration | string | No | Video length. ..."; its example sends
"duration": "5s"; Kling 3.0 is "3s–15s", Seedance 2 "4s–15s (integer)".
"""

from __future__ import annotations

import pytest

from catalog.datafile import provider_file_load
from catalog.pricing import QuoteError, offer_check
from generations.providers.base import SubmitRequest
from generations.providers.kubeez import KubeezClient

OFFERS = {offer["id"]: offer for offer in provider_file_load("kubeez")["offers"]}
DURATION_NUMBERS = [
    o for o in OFFERS.values() if any(f["name"] == "duration" and f["type"] == "integer" for f in o["fields"])
]


def _body(model: str, **params) -> dict:
    offer = OFFERS[model]
    clean = offer_check(offer, params)
    request = SubmitRequest(model_id=model, category=offer["category"], spec=offer, params=clean, reference="gen_x")
    return KubeezClient(base_url="http://127.0.0.1:9", api_key="k").request_body(request)


def test_every_per_second_duration_reads_the_docs_format():
    assert len(DURATION_NUMBERS) == 16
    for offer in DURATION_NUMBERS:
        field = next(f for f in offer["fields"] if f["name"] == "duration")
        assert field["suffix"] == "s", offer["id"]


@pytest.mark.parametrize("given", ["8s", "8", 8, " 8s "])
def test_kling_3_duration_8s_is_accepted_and_sent_as_the_doc_writes_it(given):
    body = _body("kling-3-0-std", prompt="waves", duration=given)
    assert body["duration"] == "8s"


def test_seedance_2_duration_goes_as_a_string_with_s():
    assert _body("seedance-2-480p", prompt="waves", duration=4)["duration"] == "4s"


def test_enum_durations_keep_the_documented_choice():
    # "| kling-2-6-text-to-video, kling-2-6-image-to-video | 5s, 10s |"
    assert _body("wan-2-5", prompt="waves", duration="10s", generation_type="text-to-video")["duration"] == "10s"


@pytest.mark.parametrize("given", ["eight", "8ss", "s", "2s", "8m"])
def test_a_duration_outside_the_docs_is_refused(given):
    with pytest.raises(QuoteError) as info:
        offer_check(OFFERS["kling-3-0-std"], {"prompt": "waves", "duration": given})
    assert info.value.code == "invalid_params"
