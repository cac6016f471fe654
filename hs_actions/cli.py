"""The hs-actions command: parses the command line, calls the command, and prints the Report it
returns (hs_actions.core.report); the commands themselves live with what they work on.

Exit codes: 0 success; 1 the action ran and did not succeed (or its outputs break
action.toml); 2 it could not be run (usage, action folder, manifest, event, secret);
141 stdout was closed before everything was written (`| head`), as for a tool ended by SIGPIPE.
"""
from __future__ import annotations

import argparse
import gc
import math
import os
import signal
import sys
from pathlib import Path

from hs_actions.core.errors import ToolkitError
from hs_actions.core.text import escaped


DESCRIPTION = (
    "Run HubSpot workflow custom-code actions (Python) on this machine as HubSpot runs them, "
    "against a local stand-in for HubSpot's API; check them, and bundle each into one file to "
    "paste into HubSpot."
)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        _refuse_unknown(parser, sys.argv[1:] if argv is None else list(argv), unknown)
    if args.handler is None:  # a bare `hs-actions` (or `hs-actions portal`): say what there is
        args.commands_of.print_help(sys.stderr)
        return 2
    # SIGTERM unwinds like Ctrl-C, so the run's processes are ended on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        code = args.handler(args)
        sys.stdout.flush()  # here, not at exit, so that a closed pipe is caught below
        return code
    except ToolkitError as error:
        print(f"hs-actions: {escaped(str(error), keep=chr(10))}", file=sys.stderr)  # names from files: no raw controls
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as a tool ended by SIGPIPE does.
        # Python would flush stdout again at exit and fail again: point it at /dev/null.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    finally:
        if argv is None:
            # The program ends next: its objects (the portal's tables among them) are left to the
            # operating system rather than traversed again by the collections of the interpreter's
            # finalization, which took 14-19 ms of a 280 ms `run`. Not for a caller that goes on.
            gc.freeze()


def _refuse_unknown(parser: argparse.ArgumentParser, argv: list[str], unknown: list[str]) -> None:
    """Usage error for arguments no command takes, from the command they were given to (its
    usage, not the top level's), with the option closest to a mistyped one."""
    from hs_actions.core.errors import did_you_mean

    command = parser
    for word in argv:
        commands = [a for a in command._actions if isinstance(a, argparse._SubParsersAction)]
        if commands and word in commands[0].choices:
            command = commands[0].choices[word]
    options = [o for a in command._actions for o in a.option_strings]
    hint = next((did_you_mean(w.split("=")[0], options) for w in unknown if w.startswith("-")), "")
    command.error(f"unrecognized arguments: {' '.join(unknown)}{hint}")


def build_parser() -> argparse.ArgumentParser:
    """Every command, argument and option, each with its help."""
    parser = argparse.ArgumentParser(prog="hs-actions", description=DESCRIPTION,
                                     epilog="`hs-actions COMMAND --help` shows a command's options.")
    parser.add_argument("--version", action=_Version)
    parser.set_defaults(handler=None, commands_of=parser)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser("run", help="run an action as HubSpot would and report the result",
                              description="Run an action once as HubSpot would, against the local portal, "
                                          "and report outputs, API calls, scopes, logs, duration and memory.")
    _run_options(run)
    run.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    run.set_defaults(handler=_run)

    watch = commands.add_parser("watch", help="run an action, then again each time its files change",
                                description="Run an action as `run` does, then again whenever action.py, action.toml, "
                                            "its events, the shared/ helpers it imports or .env change; a broken file "
                                            "is shown and watching goes on. Ctrl-C ends it (exit 0).")
    _run_options(watch)
    watch.add_argument("--json", action="store_true", help="print one JSON object a line, one per run")
    watch.set_defaults(handler=_watch)

    _simulate_command(commands)

    portal = commands.add_parser("portal", help="HubSpot's API on this machine: serve, seed, reset, show, pull",
                                 description="The local portal: HubSpot's CRM API on this machine, in a SQLite file.")
    portal.set_defaults(handler=None, commands_of=portal)
    portal_commands = portal.add_subparsers(title="commands", metavar="COMMAND")
    serve = portal_commands.add_parser("serve", help="serve it over HTTP until Ctrl-C")
    serve.add_argument("--port", type=int, default=0, help="the port to listen on (default: a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    _fault_options(serve)
    seed = portal_commands.add_parser("seed", help="add a seed file's data (default: the default seed)")
    seed.add_argument("file", nargs="?", type=Path, help="a JSON seed file: records, owners, associations, tokens "
                                                         "(shape: hs_actions/portal/README.md, Seeding)")
    reset = portal_commands.add_parser("reset", help="empty it (the next run seeds it again)")
    show = portal_commands.add_parser("show", help="counts, owners and tokens; or the first records of a type")
    show.add_argument("object_type", nargs="?", help="show the first records of this type: contacts, companies, "
                                                     "deals, tickets, or a custom object's 2-<n>")
    for sub, handler in ((serve, _portal_serve), (seed, _portal_seed), (reset, _portal_reset), (show, _portal_show)):
        sub.add_argument("--portal-db", "--db", dest="db", type=Path, metavar="PATH",
                         help="the portal's database (default .hs-actions/portal.sqlite3)")
        sub.set_defaults(handler=handler)

    listing = commands.add_parser("list", help="list the actions with their secrets, inputs and outputs")
    listing.add_argument("--json", action="store_true", help="print JSON instead of text")
    listing.set_defaults(handler=_list)

    secrets = commands.add_parser("secrets", help="each secret's actions, whether .env has it, and its length")
    secrets.add_argument("--json", action="store_true", help="print JSON instead of text")
    secrets.set_defaults(handler=_secrets)

    new = commands.add_parser("new", help="make actions/NAME: a working action, manifest, event and test")
    new.add_argument("name", help="the action's folder under actions/ (lower case letters, digits and _)")
    new.add_argument("--object-type", default="CONTACT", metavar="TYPE",
                     help="what the workflow enrolls: CONTACT (default), COMPANY, DEAL, TICKET..., or a custom object's 2-<n>")
    new.add_argument("--secret", action="append", metavar="NAME",
                     help="the secret holding the action's token (default HUBSPOT_TOKEN)")
    new.set_defaults(handler=_new)

    init = commands.add_parser("init", help="make a team's project here or in DIR (adds only what is missing)",
                               description="Make an hs-actions project in DIR (default: here) with one example action, "
                                           "or add what an existing repository lacks; nothing is overwritten.")
    init.add_argument("dir", nargs="?", default=".", help="the project's folder (made if missing; default: here)")
    init.add_argument("--source", metavar="SPEC", help="where pip gets hs-actions: a wheel, a checkout, or a requirement "
                                                      "such as 'hs-actions==1.2.0' (default: where this toolkit came from)")
    init.set_defaults(handler=_init)

    bundle = commands.add_parser("bundle", help="write one paste-ready file per action, verified by its tests")
    bundle.add_argument("actions", nargs="*", metavar="ACTION", help="names under actions/ or paths to action folders")
    bundle.add_argument("--all", action="store_true", help="every action under actions/")
    bundle.add_argument("--print", action="store_true", help="write the bundle to stdout (not verified)")
    bundle.add_argument("--out", type=Path, metavar="DIR", help="where to write bundles (default dist/)")
    bundle.add_argument("-n", "--numprocesses", dest="workers", type=_workers, default=1, metavar="N",
                        help="verify N bundles at once; auto: one for each core this process may use (default 1)")
    bundle.set_defaults(handler=_bundle)

    drift = commands.add_parser("drift", help="tell whether code copied from HubSpot is the bundled code")
    drift.add_argument("action", help="a name under actions/ or a path to an action folder")
    drift.add_argument("file", type=Path, help="the code from HubSpot's editor, saved to a file")
    drift.set_defaults(handler=_drift)

    check = commands.add_parser("check", help="find what HubSpot's runtime would reject, with file:line")
    check.add_argument("actions", nargs="*", metavar="ACTION",
                       help="names under actions/ or paths to action folders (default: every action)")
    check.add_argument("--portal-db", type=Path, metavar="PATH",
                       help="the local portal whose seeded and pulled properties count as known, as for "
                            "run --portal-db (default .hs-actions/portal.sqlite3; only read)")
    check.add_argument("--list-rules", action="store_true",
                       help="print every rule check applies (id, severity, description), one a line, and exit")
    check.set_defaults(handler=_check)

    test = commands.add_parser("test", help="check, bundle-verify and pytest the actions: what CI runs",
                               description="For every action (or those named): check, bundle it and pass its tests "
                                           "against the bundle, then pytest the project's tests and the actions' tests.")
    test.add_argument("actions", nargs="*", metavar="ACTION", help="names under actions/ (default: every action)")
    test.add_argument("--lf", "--last-failed", dest="lf", action="store_true", help="pytest: rerun only the tests that failed last time")
    test.add_argument("--ff", "--failed-first", dest="ff", action="store_true", help="pytest: run the last failures first, then the rest")
    test.add_argument("-x", "--exitfirst", dest="x", action="store_true", help="pytest: stop at the first failure")
    test.add_argument("-k", dest="k", metavar="EXPRESSION", help="pytest: only the tests whose names match EXPRESSION")
    test.add_argument("-n", "--numprocesses", dest="workers", type=_workers, default=1, metavar="N",
                      help="verify N bundles at once, and spread pytest over N workers (pytest-xdist, each test "
                           "file on one); auto: one for each core this process may use (default 1)")
    test.add_argument("--snapshot-update", action="store_true",
                      help="write the snapshots that changed (pytest --hs-snapshot-update), then hold the bundles to them")
    test.set_defaults(handler=_test)

    _account_commands(commands, portal_commands)

    setup = commands.add_parser("setup", help="prepare HubSpot's runtime (Python 3.9 and its libraries)")
    setup.add_argument("--quiet", action="store_true", help="say nothing when it is ready already")
    setup.add_argument("--rebuild", action="store_true", help="build .hs-actions/runtime again, even when it is ready")
    setup.set_defaults(handler=_setup)
    return parser


def _simulate_command(commands) -> None:
    """simulate: many enrollments as HubSpot schedules them, or --retry-check (hs_actions.simulate)."""
    from hs_actions.simulate import DEFAULT_CONCURRENCY, DEFAULT_SAMPLE, TIERS   # the package alone: light
    sim = commands.add_parser(
        "simulate", help="many enrollments as HubSpot schedules them, or --retry-check",
        description="Run an action once per enrolled record, as HubSpot schedules them: in parallel up to a "
                    "concurrency, sharing the account's rate limits, a raised 429 or 5xx retried by HubSpot's rule. "
                    "Time is simulated; every execution is a real sandboxed run, against a copy of the local portal.")
    sim.add_argument("action", help="a name under actions/, or a path to an action folder")
    which = sim.add_mutually_exclusive_group(required=True)
    which.add_argument("--enrollments", type=int, metavar="N", help="enroll the first N records of the action's object type")
    which.add_argument("--object-ids", type=Path, metavar="FILE", help="enroll these records: one id a line")
    sim.add_argument("--generate", action="store_true", help="create the records the local portal lacks (in the copy only)")
    sim.add_argument("--tier", default="starter", choices=TIERS,
                     help="the account's API rate limits (default starter)")
    sim.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY, metavar="C",
                     help=f"executions at once (HubSpot publishes no figure; default {DEFAULT_CONCURRENCY})")
    sim.add_argument("--execution-rate", type=_execution_rate, metavar="N/PERIOD",
                     help="the action's execution rate limit, e.g. 10/second, 300/minute (default: none)")
    sim.add_argument("--retry-backoff", type=_positive, metavar="FACTOR",
                     help="how much each retry's wait grows (unpublished; default 2: 1, 2, 4 ... minutes, at most 8 hours)")
    sim.add_argument("--cold", action="store_true",
                     help="start every execution in a fresh process (default: each lane's process is reused, "
                          "module state and all, as HubSpot reuses a warm container)")
    sim.add_argument("--retry-check", action="store_true",
                     help="instead: for sampled records, a 429 on each API call in turn and HubSpot's retry; "
                          "report writes the retry repeats")
    sim.add_argument("--sample", type=int, default=DEFAULT_SAMPLE, metavar="K",
                     help=f"records the retry check tries (default {DEFAULT_SAMPLE})")
    sim.add_argument("--input", action="append", default=[], metavar="NAME=VALUE",
                     help="an input field's value in every execution (repeatable)")
    sim.add_argument("--extended-event", action="store_true", help="add the optional event keys seen in app-defined actions")
    sim.add_argument("--env-file", type=Path, metavar="PATH", help="read secrets from this file (NAME=value lines) instead of .env")
    sim.add_argument("--timeout", type=_positive, metavar="SECONDS", help="wall-time limit of each execution (HubSpot: 20)")
    sim.add_argument("--memory", type=_positive, metavar="MB", help="memory limit of each execution (HubSpot: 128)")
    sim.add_argument("--allow-host", action="append", default=[], type=_host, metavar="HOST", help="let the action connect to HOST (repeatable)")
    sim.add_argument("--portal-db", type=Path, metavar="PATH", help="the local portal to copy (default .hs-actions/portal.sqlite3)")
    sim.add_argument("--fail", action="append", default=[], type=_failure, metavar="SPEC",
                     help="'METHOD PATH_REGEX STATUS [TIMES]': the next TIMES (default 1) API calls of METHOD (* for any) "
                          "on a path matching PATH_REGEX get STATUS, 429 or 5xx (repeatable)")
    sim.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    sim.set_defaults(handler=_simulate)


def _account_commands(commands, portal_commands) -> None:
    """pull, deploy, status and portal pull: the connection to a real account (hs_actions.account)."""
    def api_base(sub):
        sub.add_argument("--account", metavar="NAME", help="the project's account ([tool.hs-actions.accounts.NAME]; "
                                                           "default: the one marked default, else the only one)")
        sub.add_argument("--api-base", metavar="URL", help="the account's API (default its api_base, else "
                                                           "$HS_ACTIONS_API_BASE, else https://api.hubapi.com)")

    pull = commands.add_parser("pull", help="write the account's Python custom-code actions into actions/")
    which = pull.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every workflow's Python custom-code actions")
    which.add_argument("--flow", action="append", metavar="ID", help="one workflow's (repeatable)")
    pull.add_argument("--force", action="store_true", help="overwrite local changes that were never deployed")
    pull.add_argument("--into", metavar="NAME", help="link the one Python action of the --flow to the action folder "
                                                     "NAME (the same action, from another account)")
    deploy = commands.add_parser("deploy", help="bundle, verify and write an action into its workflow in HubSpot")
    deploy.add_argument("action", help="a name under actions/ or a path to an action folder (pulled or deployed before)")
    deploy.add_argument("--dry-run", action="store_true", help="show the changes to code and fields; write nothing")
    deploy.add_argument("--force", action="store_true", help="overwrite code that was edited in HubSpot")
    status = commands.add_parser("status", help="each action against its workflow action in HubSpot")
    status.add_argument("--json", action="store_true", help="print a JSON list instead of lines")
    schema = portal_commands.add_parser("pull", help="copy the account's schema (and sample records) into a seed file")
    schema.add_argument("--out", type=Path, metavar="FILE", help="the seed file to write, JSON (default tests/account_seed.json)")
    schema.add_argument("--records", type=int, default=0, metavar="N", help="also copy N records of each object type")
    schema.add_argument("--anonymize", action="store_true",
                        help="replace every string value of records, owners, HubDB rows and forms with a consistent fake")
    for sub, handler in ((pull, _pull), (deploy, _deploy), (status, _status), (schema, _portal_pull)):
        api_base(sub)
        sub.set_defaults(handler=handler)

    account = commands.add_parser("account", help="a demo account to try pull, deploy and status: account demo",
                                  description="A stand-in for a HubSpot account on this machine.")
    account.set_defaults(handler=None, commands_of=account)
    demo = account.add_subparsers(title="commands", metavar="COMMAND").add_parser(
        "demo", help="serve a local portal playing a HubSpot account (workflows with custom code) until Ctrl-C")
    demo.add_argument("--port", type=int, default=0, help="the port to listen on (default: a free one)")
    demo.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    demo.set_defaults(handler=_account_demo)


def _account_demo(args) -> int:
    from hs_actions.account.demo import demo

    return _print(demo(args.host, args.port, console=_console()))


def _connection(args):
    from hs_actions.account.connection import Connection
    return Connection.from_environment(args.api_base, account=args.account)


def _pull(args) -> int:
    from hs_actions.account.pull import pull

    return _print(pull(_connection(args), None if args.all else args.flow, force=args.force, into=args.into,
                       console=_console()))


def _deploy(args) -> int:
    from hs_actions.account.deploy import deploy

    return _print(deploy(_connection(args), args.action, dry_run=args.dry_run, force=args.force))


def _status(args) -> int:
    from hs_actions.account.connection import Connection
    from hs_actions.account.status import status

    connections = [_connection(args)] if args.account else Connection.every(args.api_base, or_why=True)
    return _print(status(connections, as_json=args.json))


def _portal_pull(args) -> int:
    from hs_actions.account.schema import copy_schema

    if args.records < 0:
        raise ToolkitError("portal pull --records: give a number of 0 or more")
    return _print(copy_schema(_connection(args), args.out, records=args.records, anonymize=args.anonymize,
                              console=_console()))


def _run_options(command: argparse.ArgumentParser) -> None:
    """The action and the options of one run: run's and watch's."""
    command.add_argument("action", help="a name under actions/, or a path to an action folder")
    command.add_argument("--event", metavar="FILE", help="the event, a JSON file: a path, a name in the action's "
                                                         "events/, or - for stdin (default: events/default.json)")
    command.add_argument("--object-id", type=int, metavar="N", help="the enrolled record's id in the local portal")
    command.add_argument("--input", action="append", default=[], metavar="NAME=VALUE", help="an input field's value (repeatable)")
    command.add_argument("--env-file", type=Path, metavar="PATH", help="read secrets from this file (NAME=value lines) instead of .env")
    command.add_argument("--timeout", type=_positive, metavar="SECONDS", help="wall-time limit (HubSpot: 20)")
    command.add_argument("--memory", type=_positive, metavar="MB", help="memory limit (HubSpot: 128)")
    command.add_argument("--extended-event", action="store_true", help="add the optional event keys seen in app-defined actions")
    command.add_argument("--allow-host", action="append", default=[], type=_host, metavar="HOST", help="let the action connect to HOST (repeatable)")
    command.add_argument("--portal-db", type=Path, metavar="PATH", help="the local portal's database (default .hs-actions/portal.sqlite3)")
    _fault_options(command)


def _fault_options(command: argparse.ArgumentParser) -> None:
    """--fail and --rate-limit: the portal's forced failures and rate limits, for run and serve."""
    command.add_argument(
        "--fail", action="append", default=[], type=_failure, metavar="SPEC",
        help="'METHOD PATH_REGEX STATUS [TIMES]': the next TIMES (default 1) API calls of METHOD (* for any) "
             "on a path matching PATH_REGEX get STATUS, 429 or 5xx, with HubSpot's body for it (repeatable)")
    command.add_argument(
        "--rate-limit", type=_rate_limit, metavar="TIER",
        help="HubSpot's API rate limits of this tier: starter (default), professional, enterprise, increase, unlimited")


class _Version(argparse.Action):
    """--version, read only when asked: finding it imports importlib.metadata, which is slow."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the version of hs-actions and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        import hs_actions

        print(f"hs-actions {hs_actions.__version__}")
        parser.exit()


def _print(report) -> int:
    """Print what the command's console has not printed already; its exit code."""
    for entry in report.unshown():
        print(entry)
    return report.exit_code


def _console():
    """The console of a command that speaks while it runs: this process's stdout and stderr."""
    from hs_actions.core.report import Console

    return Console(sys.stdout)


def _run(args) -> int:
    from hs_actions.harness.commands import run
    from hs_actions.core import colour

    return _print(run(args.action, event=args.event, object_id=args.object_id, inputs=args.input,
                      env_file=args.env_file, timeout=args.timeout, memory=args.memory,
                      extended_event=args.extended_event, allow_hosts=args.allow_host, portal_db=args.portal_db,
                      failures=args.fail, rate_limit=args.rate_limit, as_json=args.json,
                      colour=colour.wanted(sys.stdout)))


def _watch(args) -> int:
    from hs_actions.harness.watch import watch
    from hs_actions.core import colour

    clear = not args.json and sys.stdout.isatty() and os.environ.get("TERM") != "dumb"
    return _print(watch(args.action, out=sys.stdout, event=args.event, object_id=args.object_id, inputs=args.input,
                        env_file=args.env_file, timeout=args.timeout, memory=args.memory,
                        extended_event=args.extended_event, allow_hosts=args.allow_host, portal_db=args.portal_db,
                        failures=args.fail, rate_limit=args.rate_limit, as_json=args.json,
                        colour=colour.wanted(sys.stdout), clear=clear))


def _simulate(args) -> int:
    from hs_actions.simulate.commands import simulate

    return _print(simulate(args.action, enrollments=args.enrollments, object_ids=args.object_ids, generate=args.generate,
                           tier=args.tier, concurrency=args.concurrency, rate=args.execution_rate,
                           backoff=args.retry_backoff, failures=args.fail, env_file=args.env_file, timeout=args.timeout,
                           memory=args.memory, allow_hosts=args.allow_host, inputs=args.input,
                           extended_event=args.extended_event, portal_db=args.portal_db,
                           cold=args.cold, retry_check=args.retry_check, sample=args.sample, as_json=args.json, console=_console()))


def _list(args) -> int:
    from hs_actions.action.commands import list_actions

    return _print(list_actions(as_json=args.json, console=_console()))


def _secrets(args) -> int:
    from hs_actions.action.secrets_command import secrets_report

    return _print(secrets_report(as_json=args.json, console=_console()))


def _new(args) -> int:
    from hs_actions import scaffold

    return _print(scaffold.new(args.name, object_type=args.object_type, secrets=args.secret))


def _bundle(args) -> int:
    from hs_actions.bundler.commands import run_bundle

    if not args.actions and not args.all:
        raise ToolkitError("bundle: name an action (or several), or give --all")
    return _print(run_bundle(args.actions, all_=args.all, print_=args.print, out_dir=args.out, workers=args.workers,
                             console=_console()))


def _drift(args) -> int:
    from hs_actions.bundler.commands import run_drift

    return _print(run_drift(args.action, args.file))


def _test(args) -> int:
    from hs_actions.bundler.commands import run_test

    pytest_args = [*(["--lf"] if args.lf else []), *(["--ff"] if args.ff else []), *(["-x"] if args.x else []),
                   *(["-k", args.k] if args.k else [])]
    return _print(run_test(args.actions, pytest_args=tuple(pytest_args), snapshot_update=args.snapshot_update,
                           workers=args.workers, console=_console()))


def _init(args) -> int:
    from hs_actions.scaffold.init import init

    return _print(init(args.dir, source=args.source))


def _check(args) -> int:
    from hs_actions.check.commands import list_rules, run_check

    if args.list_rules:
        return _print(list_rules())
    from hs_actions.core import colour

    return _print(run_check(args.actions, portal_db=args.portal_db, colour=colour.wanted(sys.stdout),
                            console=_console()))


def _portal_serve(args) -> int:
    from hs_actions.portal import commands

    return _print(commands.serve(args.db, args.host, args.port, failures=args.fail, rate_limit=args.rate_limit,
                                 console=_console()))


def _portal_seed(args) -> int:
    from hs_actions.portal import commands

    return _print(commands.seed(args.db, args.file))


def _portal_reset(args) -> int:
    from hs_actions.portal import commands

    return _print(commands.reset(args.db))


def _portal_show(args) -> int:
    from hs_actions.portal import commands

    return _print(commands.show(args.db, args.object_type))


def _setup(args) -> int:
    from hs_actions.harness.commands import setup

    return _print(setup(quiet=args.quiet, rebuild=args.rebuild, console=_console()))


def _host(text: str) -> str:
    if not text.strip() or "/" in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a host name or address (e.g. example.com or 127.0.0.1:8080)")
    return text.strip()


def _portal_value(name: str):
    """The type of a portal option: hs_actions.portal.commands.<name> reads it, imported only when
    the option is given (the portal is heavy to import before a run's runtime starts)."""
    def read(text: str):
        from hs_actions.portal import commands

        try:
            return getattr(commands, name)(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    return read


_failure = _portal_value("failure_rule")
_rate_limit = _portal_value("rate_limit_tier")


def _execution_rate(text: str) -> float:
    from hs_actions.simulate.commands import execution_rate

    try:
        return execution_rate(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _workers(text: str) -> int:
    """-n N: a whole number from 1, or auto (the cores this process may run on)."""
    if text == "auto":
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes: give a whole number from 1, or auto")
    return int(text)


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
