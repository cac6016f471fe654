"""`hs-actions status`: where each action stands against its workflow action in HubSpot.

    in sync                   HubSpot runs what the repository would deploy now
    edited in HubSpot         its code or fields in HubSpot changed since the last pull or deploy
    local changes             the repository's bundle or action.toml changed since then, not deployed
    not in HubSpot            its workflow, or the action in it, is gone
    never pulled or deployed  action.toml has no [hubspot] record for the account

With several accounts ([tool.hs-actions.accounts]), each action has a line per account.
    not checked               its account could not be reached (no token here, refused, down):
                              said with the reason; the other accounts are shown all the same,
                              and the command exits 2
    cannot be read            its action.toml does not load, or its code does not parse: said
                              with the reason, and the other actions are compared all the same
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from hs_actions.action.folder import discover
from hs_actions.core import project
from hs_actions.core.report import Report
from hs_actions.account import mapping
from hs_actions.account.actions import find_action, flow_path, normalized_fields, read_actions
from hs_actions.account.connection import AccountError, Connection, NotFound, OddAnswer, Unchecked
from hs_actions.core.errors import ToolkitError

IN_SYNC = "in sync"
EDITED = "edited in HubSpot"
LOCAL = "local changes not deployed"
GONE = "not in HubSpot"
NEVER = "never pulled or deployed"
BROKEN = "cannot be read"
NOT_CHECKED = "not checked"


@dataclass
class State:
    name: str
    state: str
    detail: str = ""
    flow_id: str | None = None
    action_id: str | None = None
    account: str | None = None          # the project's account (None: the environment's)

    def to_dict(self) -> dict:
        return asdict(self)


def status(connections: Connection | list[Connection | Unchecked], *, as_json: bool = False, actions_dir: Path | None = None,
           helpers_dir: Path | None = None) -> Report:
    """`hs-actions status`: a line per action per account, names (and accounts) aligned (with
    as_json, a JSON list): account by account in the order given (pyproject.toml's, which CI's
    recipe deploys in), actions by name. An account that cannot be reached (its token is not
    here, or the account refuses it) is `not checked` for each action, with the reason, and
    the command exits 2: the other accounts are still shown."""
    actions_dir = actions_dir or project.current().actions
    helpers_dir = helpers_dir or project.current().helpers
    connections = connections if isinstance(connections, list) else [connections]
    states = []
    for connection in connections:
        try:
            if isinstance(connection, Unchecked):
                raise AccountError(connection.problem)
            states += action_states(connection, actions_dir=actions_dir, helpers_dir=helpers_dir)
        except AccountError as error:
            if len(connections) == 1:
                raise
            states += [State(folder.name, NOT_CHECKED, str(error), account=connection.account)
                       for folder in discover(actions_dir)]
    exit_code = 2 if any(s.state == NOT_CHECKED for s in states) else 0
    if as_json:
        return Report(data=[s.to_dict() for s in states], exit_code=exit_code)
    if not states:
        return Report(["no actions yet: `hs-actions pull --all` brings the account's"])
    width = max(len(s.name) for s in states)
    named = max(len(s.account or "") for s in states)
    # An account's reason is said once, under its lines, not on each action's.
    unchecked = {s.account: s.detail for s in states if s.state == NOT_CHECKED}
    lines = [f"{s.name:<{width}}  " + (f"{s.account or '':<{named}}  " if named else "") + s.state
             + (f": {s.detail}" if s.detail and s.state != NOT_CHECKED else "") for s in states]
    lines += [f"the account {account!r} was not checked: {why}" for account, why in unchecked.items()]
    return Report(lines, exit_code)


def action_states(connection: Connection, *, actions_dir: Path | None = None,
                  helpers_dir: Path | None = None) -> list[State]:
    """Where each action of `actions_dir` stands against its workflow action in HubSpot."""
    actions_dir = actions_dir or project.current().actions
    helpers_dir = helpers_dir or project.current().helpers
    states, flows = [], {}
    found, broken = read_actions(actions_dir, connection)
    states += [State(b.name, BROKEN, f"its action.toml does not load: {b.problem}", account=connection.account)
               for b in broken]
    for local in found:
        origin = local.origin
        if origin is None:
            states.append(State(local.name, NEVER, account=connection.account))
            continue
        where = dict(flow_id=origin.flow_id, action_id=origin.action_id, account=connection.account)
        try:
            path = flow_path(origin.flow_id, connection.flows)
        except ToolkitError as error:
            states.append(State(local.name, BROKEN, f"action.toml [hubspot] flow_id: {error}", **where))
            continue
        try:
            code_here, fields_here = local.code_hash(helpers_dir), local.fields_hash()
        except ToolkitError as error:
            states.append(State(local.name, BROKEN, f"its code cannot be bundled: {error}", **where))
            continue
        if origin.flow_id not in flows:
            try:
                flows[origin.flow_id] = connection.get(path)
            except NotFound:
                flows[origin.flow_id] = None
            except OddAnswer as error:
                flows[origin.flow_id] = error
        flow = flows[origin.flow_id]
        if isinstance(flow, OddAnswer):
            states.append(State(local.name, BROKEN, f"its workflow cannot be read: {flow}", **where))
            continue
        action = find_action(flow, origin.action_id) if isinstance(flow, dict) else None
        if action is None:
            gone = f"workflow {origin.flow_id}" if flow is None else f"action {origin.action_id} of workflow {origin.flow_id}"
            states.append(State(local.name, GONE, f"{gone} does not exist", **where))
            continue
        problem = mapping.problem(flow, action)
        try:
            code_there = mapping.source_hash(action.get("sourceCode") or "") if problem is None else None
            fields_there = mapping.fields_hash(normalized_fields(flow, action)) if problem is None else None
        except ToolkitError as error:
            problem = str(error)
        if problem is not None:
            states.append(State(local.name, BROKEN, f"its action in HubSpot cannot be read: {problem}", **where))
            continue
        if (code_there, fields_there) == (code_here, fields_here):
            states.append(State(local.name, IN_SYNC, f"revision {mapping.revision(flow)}", **where))
        elif (code_there, fields_there) != (origin.code_hash, origin.fields_hash):
            what = " and ".join(w for w, there, then in (("code", code_there, origin.code_hash),
                                                        ("fields", fields_there, origin.fields_hash)) if there != then)
            here = " and ".join(w for w, now, then in (("code", code_here, origin.code_hash),
                                                      ("fields", fields_here, origin.fields_hash)) if now != then)
            # Both sides changed: say so, as pull and deploy each refuse to drop the other's change.
            also = (f"; its {here} changed here too: merge by hand (hs-actions deploy {local.name}{connection.option} --dry-run "
                    f"shows HubSpot's code against this bundle)") if here else ""
            states.append(State(local.name, EDITED, f"its {what} changed in HubSpot (now revision "
                                                    f"{mapping.revision(flow)}){also}", **where))
        else:
            what = " and ".join(w for w, here, then in (("code", code_here, origin.code_hash),
                                                       ("fields", fields_here, origin.fields_hash)) if here != then)
            states.append(State(local.name, LOCAL, f"its {what} changed here: hs-actions deploy {local.name}"
                                                   f"{connection.option}", **where))
    return sorted(states, key=lambda s: s.name)
