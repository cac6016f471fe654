"""hs-actions: run, list and scaffold HubSpot custom-code actions. Parses, then delegates.

Exit codes: 0 success; 1 the action ran and did not succeed (or its outputs break
action.toml); 2 it could not be run (usage, action folder, manifest, event, secret).
"""
from __future__ import annotations

import argparse
import math
import signal
import sys
from pathlib import Path

from hs_actions.errors import ToolkitError


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the run's processes are ended on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return args.handler(args)
    except ToolkitError as error:
        print(f"hs-actions: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hs-actions", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run an action as HubSpot would and report the result")
    run.add_argument("action", help="a name under actions/, or a path to an action folder")
    run.add_argument("--event", metavar="FILE", help="event JSON: a path, a name in the action's events/, or - for stdin")
    run.add_argument("--object-id", type=int, metavar="N", help="the enrolled record's id")
    run.add_argument("--input", action="append", default=[], metavar="NAME=VALUE", help="an input field's value (repeatable)")
    run.add_argument("--env-file", type=Path, metavar="PATH", help="read secrets from this file instead of .env")
    run.add_argument("--timeout", type=_positive, metavar="SECONDS", help="wall-time limit (HubSpot: 20)")
    run.add_argument("--memory", type=_positive, metavar="MB", help="memory limit (HubSpot: 128)")
    run.add_argument("--extended-event", action="store_true", help="add the optional event keys seen in app-defined actions")
    run.add_argument("--allow-host", action="append", default=[], type=_host, metavar="HOST", help="let the action connect to HOST (repeatable)")
    run.add_argument("--portal-db", type=Path, metavar="PATH", help="the local portal's database (default .hs-actions/portal.sqlite3)")
    run.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    run.set_defaults(handler=_run)

    portal = commands.add_parser("portal", help="the local portal: HubSpot's API on this machine")
    portal_commands = portal.add_subparsers(required=True, metavar="COMMAND")
    serve = portal_commands.add_parser("serve", help="serve it over HTTP until Ctrl-C")
    serve.add_argument("--port", type=int, default=0, help="default: a free port")
    serve.add_argument("--host", default="127.0.0.1")
    seed = portal_commands.add_parser("seed", help="add a seed file's data (default: the default seed)")
    seed.add_argument("file", nargs="?", type=Path)
    reset = portal_commands.add_parser("reset", help="empty it (the next run seeds it again)")
    show = portal_commands.add_parser("show", help="counts, owners and tokens; or the first records of a type")
    show.add_argument("object_type", nargs="?", help="e.g. contacts, companies, deals, tickets, 2-123")
    for sub, handler in ((serve, _portal_serve), (seed, _portal_seed), (reset, _portal_reset), (show, _portal_show)):
        sub.add_argument("--portal-db", "--db", dest="db", type=Path, metavar="PATH", help="default .hs-actions/portal.sqlite3")
        sub.set_defaults(handler=handler)

    listing = commands.add_parser("list", help="list the actions with their secrets, inputs and outputs")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    new = commands.add_parser("new", help="scaffold actions/NAME with a working action, manifest, event and test")
    new.add_argument("name")
    new.add_argument("--object-type", default="CONTACT")
    new.add_argument("--secret", action="append", help="the secret holding the action's token (default HUBSPOT_TOKEN)")
    new.set_defaults(handler=_new)

    bundle = commands.add_parser("bundle", help="write dist/NAME.py, one paste-ready file, verified by the action's tests")
    bundle.add_argument("actions", nargs="*", metavar="ACTION", help="names under actions/ or paths to action folders")
    bundle.add_argument("--all", action="store_true", help="every action under actions/")
    bundle.add_argument("--print", action="store_true", help="write the bundle to stdout (not verified)")
    bundle.add_argument("--out", type=Path, metavar="DIR", help="where to write bundles (default dist/)")
    bundle.set_defaults(handler=_bundle)

    drift = commands.add_parser("drift", help="compare code copied out of HubSpot with the action's bundle")
    drift.add_argument("action", help="a name under actions/ or a path to an action folder")
    drift.add_argument("file", type=Path, help="the code from HubSpot's editor, saved to a file")
    drift.set_defaults(handler=_drift)

    check = commands.add_parser("check", help="find what HubSpot's runtime would reject (every action when none is named)")
    check.add_argument("actions", nargs="*", metavar="ACTION")
    check.set_defaults(handler=_check)

    setup = commands.add_parser("setup", help="prepare HubSpot's runtime (Python 3.9 and its libraries)")
    setup.add_argument("--quiet", action="store_true", help="say nothing when it is ready already")
    setup.set_defaults(handler=_setup)
    return parser


def _run(args) -> int:
    runner, runtime = _start_runtime(args.action)
    from hs_actions.harness import Harness
    from hs_actions.harness import report

    inputs = {}
    for item in args.input:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ToolkitError(f"--input {item!r}: write it as NAME=VALUE")
        inputs[name] = value
    from hs_actions.portal.commands import open_local

    def portal():  # opened by the harness once the runtime is starting, to overlap the two
        local = open_local(args.portal_db)
        local.serve()
        return local

    with Harness(runtime=runtime, portal=portal, runner=runner) as harness:
        result = harness.run(
            args.action, event_file=args.event, object_id=args.object_id, inputs=inputs,
            env_file=args.env_file, timeout=args.timeout, memory=args.memory,
            extended_event=args.extended_event, allow_hosts=tuple(args.allow_host),
        )
    # The portal is not shut down: the command ends here, its server thread is a daemon and
    # every write was committed; waiting for the server loop would only delay the report.
    print(report.as_json(result) if args.json else report.human(result))
    return 0 if result.ok else 1


def _start_runtime(ref: str):
    """Start HubSpot's runtime on the action's libraries first: it imports them while the
    rest of the toolkit loads and the run is prepared. (Light imports only, up to here.)"""
    from hs_actions.harness import runtime as runtime_module
    from hs_actions.harness.action import CODE, locate
    from hs_actions.harness.runner import Runner, library_imports

    runtime = runtime_module.current()
    runner = Runner(runtime.python, "spawn")
    folder = locate(ref)
    if folder is not None:
        runner.prepare(str(folder), folder / CODE, library_imports(folder / CODE))
    return runner, runtime


def _list(args) -> int:
    import json

    from hs_actions.harness.action import discover, load

    actions, broken = [], {}
    for folder in discover():  # one broken action.toml does not hide the others
        try:
            actions.append(load(folder))
        except ToolkitError as error:
            broken[folder.name] = str(error)
    if args.json:
        listed = [_summary(a) for a in actions] + [{"name": n, "error": e} for n, e in broken.items()]
        print(json.dumps(sorted(listed, key=lambda a: a["name"]), indent=2))
        return 2 if broken else 0
    if not actions and not broken:
        print("no actions yet: `hs-actions new NAME` makes one")
    for name, error in broken.items():
        print(f"hs-actions: {name}: cannot be listed: {error}", file=sys.stderr)
    for action in actions:
        m = action.manifest
        print(f"{action.name}  ({m.object_type}) {m.description}")
        print(f"  secrets: {', '.join(m.secrets) or '-'}")
        print(f"  inputs:  {', '.join(f'{i.name}<-{i.property or repr(i.value)}' for i in m.inputs) or '-'}")
        print(f"  outputs: {', '.join(f'{o.name}:{o.type}' for o in m.outputs) or '-'}")
    return 2 if broken else 0


def _summary(action) -> dict:
    m = action.manifest
    return {
        "name": action.name, "folder": str(action.folder), "description": m.description,
        "object_type": m.object_type, "secrets": list(m.secrets),
        "inputs": {i.name: ({"property": i.property} if i.property else {"value": i.value}) for i in m.inputs},
        "outputs": {o.name: {"type": o.type, **({"options": list(o.options)} if o.options else {})} for o in m.outputs},
    }


def _new(args) -> int:
    from hs_actions import scaffold

    secrets = args.secret or ["HUBSPOT_TOKEN"]
    if len(secrets) > 1:
        raise ToolkitError("new: give one --secret (the token's); add other secrets to action.toml afterwards")
    folder = scaffold.create(args.name, object_type=args.object_type, secret=secrets[0])
    print(f"created {folder}: edit action.py and action.toml, then `hs-actions run {args.name}`")
    return 0


def _bundle(args) -> int:
    from hs_actions.bundler.commands import run_bundle

    if not args.actions and not args.all:
        raise ToolkitError("bundle: name an action (or several), or give --all")
    return run_bundle(args.actions, all_=args.all, print_=args.print, out_dir=args.out)


def _drift(args) -> int:
    from hs_actions.bundler.commands import run_drift

    return run_drift(args.action, args.file)


def _check(args) -> int:
    from hs_actions.bundler.commands import run_check

    return run_check(args.actions)


def _portal_serve(args) -> int:
    from hs_actions.portal import commands

    commands.serve(args.db, args.host, args.port)
    return 0


def _portal_seed(args) -> int:
    from hs_actions.portal import commands

    print(commands.seed(args.db, args.file))
    return 0


def _portal_reset(args) -> int:
    from hs_actions.portal import commands

    print(commands.reset(args.db))
    return 0


def _portal_show(args) -> int:
    from hs_actions.portal import commands

    print(commands.show(args.db, args.object_type))
    return 0


def _setup(args) -> int:
    from hs_actions.harness import runtime

    ready = runtime.current()
    if not (args.quiet and not ready.fallback):
        runtime.setup()
    if not args.quiet:
        from hs_actions.harness import sandbox
        print(sandbox.summary())
    return 0


def _host(text: str) -> str:
    if not text.strip() or "/" in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a host name or address (e.g. example.com or 127.0.0.1:8080)")
    return text.strip()


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
    return value


if __name__ == "__main__":
    sys.exit(main())
