"""`hs-actions account demo`: a local portal that plays a HubSpot account, to try pull, deploy
and status without a real one. It serves the default seed's records, two workflows with custom
code (demo_account.json: Python actions to pull, a Node action pull skips) and a private app's
token with every scope, until stopped; it prints the two lines that point the account commands
at it. Its state lives in memory: every start is the same account."""
from __future__ import annotations

import json
import threading
from pathlib import Path

from hs_actions.core.report import Console, Report
from hs_actions.core.stopping import until_stopped

DATA = Path(__file__).with_name("demo_account.json")
PORTAL_ID = 7654321          # not the local portal's (1234567): pulled actions show which they came from


def demo(host: str = "127.0.0.1", port: int = 0, *, ready=None, stop: threading.Event | None = None,
         console: Console | None = None) -> Report:
    """Serve the demo account until interrupted (Ctrl-C, SIGTERM or `stop`); `ready(server)`
    is called once it listens."""
    from hs_actions.portal.commands import listen
    from hs_actions.portal.portal import ALL_SCOPES, Portal

    console = console or Console()
    report = Report()
    account = json.loads(DATA.read_text())
    portal = Portal(db=":memory:", portal_id=PORTAL_ID)
    try:
        portal.seed_default()
        portal.seed({"flows": account["flows"]})
        portal.add_token(account["token"], ALL_SCOPES, name="demo account's private app")
        server = listen(portal, host, port)
        pythons = sum(a["runtime"] == "PYTHON39" for f in account["flows"] for a in f["actions"])
        console.show(report, f"A demo HubSpot account on {server.url}: {len(account['flows'])} workflows with "
                             f"{pythons} Python custom-code actions, and the local portal's default records. "
                             f"In another shell, point pull, deploy and status at it:",
                     f"export HS_ACTIONS_API_BASE={server.url}",
                     f"export HUBSPOT_ACCESS_TOKEN={account['token']}",
                     "Ctrl-C stops it (its state is in memory: the next start is the same account).", flush=True)
        if ready is not None:
            ready(server)
        until_stopped(stop)
    finally:
        portal.close()
    return report
