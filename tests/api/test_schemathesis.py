"""Property-based tests generated from the OpenAPI document: no 500, and every answer fits the schema.

Schemathesis makes requests for every operation (valid and invalid bodies,
query strings and path ids) against the live server with a real key; each
response is checked against what /api/v1/openapi.json promises.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.openapi import openapi_document

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_dict(openapi_document(server_url="http://localhost/api/v1"))


@pytest.fixture
def api_base(live_server, rich_people, running_jobs) -> str:
    # The worker takes any job a generated request starts, so nothing is left queued.
    return f"{live_server.url}/api/v1"


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@hypothesis_settings(
    max_examples=6,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_every_generated_request_within_its_schema(case, api_base, owner_key):
    response = case.call(base_url=api_base, headers={"Authorization": f"Bearer {owner_key.key}"})
    case.validate_response(response, checks=CHECKS)
