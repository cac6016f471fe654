"""Send the action's HTTPS calls to HubSpot's API to the local portal, over plain HTTP.

Runs inside the action's process on HubSpot's Python 3.9: standard library only (urllib3
when the action has it), Python 3.9 syntax.

Why at urllib3's PoolManager: both ways an action reaches HubSpot end there. The official
client (8.x and 12.x) sends every call through `urllib3.PoolManager`, and `requests` builds
its pools with a PoolManager too. Production code names neither a host nor a port (the 8.x
client even ignores `host=`), so the only place to redirect it without touching the action
or the client is where a PoolManager turns (scheme, host, port) into a connection pool:
`PoolManager._new_pool`, which urllib3 documents as "intended to be overridden for
customization". For a routed host it returns a plain-HTTP pool to the portal whose
`urlopen` adds the `X-HS-Actions-Run` header, so the portal can tell which run made a call.
In a sandbox the route leads to the sandbox's own channel to the portal instead, and the
portal takes the run from the channel, whatever the header says (hs_actions/harness/sandbox).

`install()` works whether urllib3 is imported already (patched at once) or later (patched
by an import hook the moment `urllib3.poolmanager` finishes loading), on urllib3 1.26 and 2.x.
"""
import sys

RUN_HEADER = "X-HS-Actions-Run"
_MODULE = "urllib3.poolmanager"

# host -> (portal host, portal port); the run tag every routed request carries.
_state = {"routes": {}, "run": ""}
_original = {}


def install(routes, run_tag):
    """Route each host in `routes` ({"api.hubapi.com": "127.0.0.1:PORT"}) to the portal.

    Idempotent; a later call replaces the routes and the run tag (a warm process serves
    several runs). Pools a PoolManager already built keep the portal address they were
    built with, which is the same portal for every run of one session.
    """
    parsed = {}
    for host, target in routes.items():
        address, _, port = target.rpartition(":")
        parsed[host.lower()] = (address, int(port))
    _state["routes"] = parsed
    _state["run"] = str(run_tag)
    module = sys.modules.get(_MODULE)
    if module is not None:
        _patch(module)
    elif not any(isinstance(f, _PatchOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _PatchOnImport())


def uninstall():
    """Undo install(): urllib3 creates its own pools again and the import hook is gone."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _PatchOnImport)]
    module = sys.modules.get(_MODULE)
    if module is not None and "_new_pool" in _original:
        module.PoolManager._new_pool = _original.pop("_new_pool")
    _state["routes"] = {}


def _patch(module):
    manager = module.PoolManager
    if "_new_pool" in _original:
        return
    original = _original["_new_pool"] = manager._new_pool
    from urllib3.connectionpool import HTTPConnectionPool

    class RunTaggedPool(HTTPConnectionPool):
        """A plain-HTTP pool to the portal that tags every request with the run."""

        def urlopen(self, method, url, body=None, headers=None, *args, **kwargs):
            headers = dict(headers if headers is not None else self.headers)
            headers[RUN_HEADER] = _state["run"]
            return super(RunTaggedPool, self).urlopen(method, url, body, headers, *args, **kwargs)

    def _new_pool(self, scheme, host, port, request_context=None):
        target = _state["routes"].get((host or "").lower())
        if target is None or scheme not in ("http", "https"):
            return original(self, scheme, host, port, request_context)
        # urllib3 builds the HTTP pool itself (dropping TLS options, filling defaults as its
        # version does); only the class changes, to one that adds the run header.
        pool = original(self, "http", target[0], target[1], request_context)
        pool.__class__ = RunTaggedPool
        return pool

    manager._new_pool = _new_pool


class _PatchOnImport(object):
    """Import hook: patch urllib3.poolmanager as soon as it has been executed."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != _MODULE:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _PatchingLoader(spec.loader)
                return spec
        return None


class _PatchingLoader(object):
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def __getattr__(self, name):  # everything else (get_code, get_filename...) as the real loader
        return getattr(self.loader, name)

    def exec_module(self, module):
        self.loader.exec_module(module)
        if _state["routes"]:
            _patch(module)
