"""The contract test: schemathesis generates requests from the API's own OpenAPI document and checks every
answer against it (documented status codes, response schemas, no server errors). Run with ci/contract.sh."""

import schemathesis
from hypothesis import HealthCheck, settings

from app.app import api

schema = schemathesis.openapi.from_asgi("/openapi.json", api)


@schema.parametrize()
# No deadline and no health checks: a busy CI worker is slow, and slowness is not what this test is about.
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_openapi_contract(case: schemathesis.Case) -> None:
    case.call_and_validate()
