"""A 429 or 5xx from HubSpot's API raised out of main: HubSpot retries the execution."""
import pytest

MANIFEST = 'object_type = "CONTACT"\n[inputs]\nstatus = { value = "429" }\n'
RAISE_API_EXCEPTION = """
from hubspot.crm.contacts import ApiException

def main(event):
    try:
        raise ApiException(status=int(event["inputFields"]["status"]), reason="from the API")
    except ApiException as e:
        print("API call failed:", e.status)
        raise
"""


@pytest.mark.parametrize("status, outcome", [(429, "retry"), (500, "retry"), (503, "retry"), (404, "error"), (400, "error")])
def test_hubspot_api_exception(run_action, make_action, status, outcome):
    result = run_action(make_action(RAISE_API_EXCEPTION, MANIFEST), inputs={"status": str(status)})
    assert result.status == outcome
    assert result.error.type == "ApiException"
    assert result.logs == f"API call failed: {status}\n"
    if outcome == "retry":
        assert result.retry == ("HubSpot would retry this execution: first after 1 minute, then at growing "
                                "intervals at most 8 hours apart, for up to 3 days.")
    else:
        assert result.retry is None


def test_requests_http_error_is_not_a_retry_and_says_so(run_action, make_action):
    code = ("import requests\n"
            "def main(event):\n"
            "    response = requests.Response()\n"
            "    response.status_code = 429\n"
            "    response.raise_for_status()\n")
    result = run_action(make_action(code))
    assert result.status == "error"
    assert result.error.type == "HTTPError"
    assert any("HubSpot retries rate-limit and server errors raised as hubspot's ApiException" in w for w in result.warnings)
