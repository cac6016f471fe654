"""A HubSpot API client from a secret, and HubSpot's retry rule for API errors.

HubSpot retries an execution when `main` raises a rate-limit (429) or server (5xx) error of a
HubSpot API call; its docs say: catch ApiException and `raise` it again. Every sub-package of
hubspot-api-client has its own ApiException class, so the checks here match any of them.
"""
import functools
import os

from hubspot import HubSpot

# The same statuses as [retry] in shared/hubspot_runtime.toml (a test keeps them equal): this
# file runs inside HubSpot, where the toolkit and its data files are not.
RETRIED_STATUSES = (429,)
RETRIED_SERVER_ERRORS = range(500, 600)

_RAISE = object()


class SecretNotSet(RuntimeError):
    """A secret the code reads is missing from the environment: it is not ticked in HubSpot."""


def hubspot_client(secret, **options):
    """A HubSpot client authenticated with the token in the secret named `secret`.

    `options` go to HubSpot(...) unchanged (e.g. retry=urllib3.Retry(...)). Raises SecretNotSet
    naming the secret when it is unset or empty.
    """
    token = os.environ.get(secret)
    if not token:
        state = "empty" if token == "" else "not set"
        raise SecretNotSet(
            "secret %r is %s: tick it under Secrets in this custom code action in HubSpot "
            "(and list it in action.toml: secrets = [%r])" % (secret, state, secret)
        )
    return HubSpot(access_token=token, **options)


def is_api_exception(error):
    """True when `error` is an ApiException of any hubspot-api-client sub-package."""
    return any(
        cls.__name__ == "ApiException" and cls.__module__.split(".")[0] == "hubspot"
        for cls in type(error).__mro__
    )


def is_retryable(error):
    """True for a HubSpot API error that HubSpot retries when raised out of main (429, 5xx)."""
    status = getattr(error, "status", None)
    return (
        is_api_exception(error)
        and isinstance(status, int)
        and (status in RETRIED_STATUSES or status in RETRIED_SERVER_ERRORS)
    )


def raise_if_retryable(error):
    """Re-raise `error` when HubSpot would retry the execution for it; else return None.

    For `except Exception as e:` blocks that handle errors themselves but must let rate limits
    and server errors through.
    """
    if is_retryable(error):
        print("HubSpot API error %s: raising it so HubSpot retries this execution" % error.status)
        raise error


def reraise_retryable(func=None, *, default=_RAISE):
    """Decorator: retryable HubSpot API errors (429, 5xx) always propagate out of `func`.

    Without `default` every exception propagates unchanged. With `default`, other HubSpot API
    errors (404, 400, ...) are printed and `default` is returned instead. Exceptions that are not
    HubSpot API errors always propagate.
    """
    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except Exception as error:
                raise_if_retryable(error)
                if default is _RAISE or not is_api_exception(error):
                    raise
                print("HubSpot API error %s in %s: returning %r" % (error.status, func.__name__, default))
                return default
        return wrapper

    return decorate if func is None else decorate(func)
