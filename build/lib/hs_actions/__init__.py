"""hs-actions: run, test, bundle and deploy HubSpot workflow custom-code actions locally.

Kept light on purpose: `hs-actions run` imports one module at a time, so that HubSpot's
runtime starts before the rest of the toolkit has loaded; `__version__` is read on first use.
"""


def __getattr__(name):
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version
        try:
            return version("hs-actions")
        except PackageNotFoundError:  # a checkout that was never installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
