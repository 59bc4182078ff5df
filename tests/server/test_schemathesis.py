"""Property-based API fuzzing from /openapi.json: whatever a client sends, no 500s, and every
response matches the documented schema."""

import pytest

pytest.importorskip("fastapi", reason="needs unspin[serve]")
schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402

from unspin.options import Options
from unspin.server import create_app  # noqa: E402

pytestmark = [pytest.mark.model, pytest.mark.slow]

# small texts keep each generated analysis fast; no URL fetching (allow_private off, and any
# public address is unreachable here, so fetch cases end as 400/502, never 500)
APP = create_app(Options(max_text_bytes=20_000, timeout=1.0))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_with_500(case):
    response = case.call()
    assert response.status_code < 500 or response.status_code in (502, 503), response.text
    case.validate_response(response, checks=[schemathesis.checks.not_a_server_error])
