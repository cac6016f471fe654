"""shared.helpers.client: a client from a named secret, and HubSpot's retry rule for API errors."""
import hubspot.crm.contacts
import hubspot.crm.objects
import pytest
from hubspot import HubSpot
from hubspot.crm.objects.exceptions import NotFoundException, ServiceException

from hs_actions.core import hubspot_runtime
from shared.helpers.client import (
    SecretNotSet, hubspot_client, is_retryable, raise_if_retryable, reraise_retryable,
)


def test_the_client_uses_the_token_in_the_named_secret(monkeypatch):
    monkeypatch.setenv("hs_app", "test-token-1")
    client = hubspot_client("hs_app")
    assert isinstance(client, HubSpot)
    assert client.access_token == "test-token-1"


def test_an_unset_secret_is_an_error_naming_it(monkeypatch):
    monkeypatch.delenv("hs_app", raising=False)
    with pytest.raises(SecretNotSet) as error:
        hubspot_client("hs_app")
    assert str(error.value) == (
        "secret 'hs_app' is not set: tick it under Secrets in this custom code action in HubSpot "
        "(and list it in action.toml: secrets = ['hs_app'])"
    )


def test_an_empty_secret_is_an_error_too(monkeypatch):
    monkeypatch.setenv("token", "")
    with pytest.raises(SecretNotSet, match=r"^secret 'token' is empty: tick it"):
        hubspot_client("token")


def test_the_retried_statuses_are_the_runtime_facts():
    for status in range(100, 600):
        error = hubspot.crm.objects.ApiException(status=status)
        assert is_retryable(error) == hubspot_runtime.is_retried_status(status), status


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (hubspot.crm.contacts.ApiException(status=429), True),
        (hubspot.crm.objects.ApiException(status=429), True),
        (ServiceException(status=503), True),
        (NotFoundException(status=404), False),
        (hubspot.crm.objects.ApiException(status=400), False),
        (hubspot.crm.objects.ApiException(), False),
        (type("ApiException", (Exception,), {"status": 429})(), False),   # not hubspot's
        (RuntimeError("429"), False),
    ],
)
def test_retryable_errors_are_hubspot_api_errors_429_or_5xx(error, retryable):
    assert is_retryable(error) is retryable


def test_raise_if_retryable_reraises_only_retryable_errors(capsys):
    raise_if_retryable(NotFoundException(status=404))
    limited = hubspot.crm.objects.ApiException(status=429)
    with pytest.raises(hubspot.crm.objects.ApiException) as error:
        raise_if_retryable(limited)
    assert error.value is limited
    assert capsys.readouterr().out == "HubSpot API error 429: raising it so HubSpot retries this execution\n"


def _failing(error):
    def call():
        raise error
    return call


def test_the_decorator_without_default_lets_everything_through():
    for error in (NotFoundException(status=404), ServiceException(status=502), KeyError("x")):
        with pytest.raises(type(error)):
            reraise_retryable(_failing(error))()


def test_the_decorator_with_default_returns_it_for_other_api_errors_only(capsys):
    @reraise_retryable(default=None)
    def find_company(error):
        if error:
            raise error
        return "found"

    assert find_company(None) == "found"
    assert find_company(NotFoundException(status=404)) is None
    assert capsys.readouterr().out == "HubSpot API error 404 in find_company: returning None\n"
    with pytest.raises(ServiceException):
        find_company(ServiceException(status=500))
    with pytest.raises(hubspot.crm.contacts.ApiException):
        find_company(hubspot.crm.contacts.ApiException(status=429))
    with pytest.raises(ValueError):
        find_company(ValueError("not an API error"))
    assert find_company.__name__ == "find_company"

