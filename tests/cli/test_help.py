"""What the command says about itself: the command list, --version, help for every option,
and "did you mean" for a mistyped object type."""
import argparse
import os
import re
import subprocess
import sys
from importlib import metadata

import pytest

from hs_actions.core import project
from hs_actions.cli import DESCRIPTION, build_parser

HS = [sys.executable, "-m", "hs_actions.cli"]
COMMANDS = ["run", "watch", "simulate", "portal", "list", "secrets", "new", "init", "bundle", "drift", "check", "test", "pull", "deploy",
            "status", "account", "setup"]


def hs(*args, columns=80):
    done = subprocess.run([*HS, *map(str, args)], capture_output=True, text=True, cwd=project.current().root,
                          env={**os.environ, "COLUMNS": str(columns)})
    return done.returncode, done.stdout, done.stderr


def command_lines(help_text: str) -> list[str]:
    """The lines of the help's "commands:" section below its COMMAND heading."""
    section = help_text.split("\ncommands:\n  COMMAND\n", 1)[1]
    return section.split("\n\n", 1)[0].splitlines()


def test_bare_command_lists_the_commands_one_line_each_as_a_usage_error():
    code, out, err = hs()
    assert (code, out) == (2, "")   # like any usage error: nothing on stdout, exit 2
    assert err.startswith("usage: hs-actions [-h] [--version] COMMAND ...\n")
    assert " ".join(DESCRIPTION.split()) in " ".join(err.split())
    lines = command_lines(err)
    assert [line.split()[0] for line in lines] == COMMANDS
    helps = {a.dest: a.help for a in _commands(build_parser())._choices_actions}
    for line in lines:  # the whole of each command's help, on its line (80 columns)
        name = line.split()[0]
        assert re.fullmatch(rf"    {name} +{re.escape(helps[name])}", line), line
    assert err.endswith("`hs-actions COMMAND --help` shows a command's options.\n")


def _commands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def test_bare_portal_lists_its_commands():
    code, out, err = hs("portal")
    assert (code, out) == (2, "")
    assert [line.split()[0] for line in command_lines(err)] == ["serve", "seed", "reset", "show", "pull"]


def test_the_description_says_what_the_tool_does_without_internal_words():
    assert DESCRIPTION.startswith("Run HubSpot workflow custom-code actions (Python) on this machine as HubSpot runs them")
    for jargon in ("delegate", "parse", "harness", "zygote", "scaffold"):
        assert jargon not in DESCRIPTION.lower()


def test_version():
    code, out, err = hs("--version")
    assert (code, out, err) == (0, f"hs-actions {metadata.version('hs-actions')}\n", "")


def _parsers(parser: argparse.ArgumentParser, path: str = "hs-actions"):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, f"{path} {name}")


def test_every_argument_and_option_of_every_command_has_help():
    missing = []
    for path, parser in _parsers(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helps = {a.dest: a.help for a in action._choices_actions}
                missing += [f"{path} {name}" for name in action.choices if not helps.get(name)]
            elif not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


@pytest.mark.parametrize("command, dest", [(["run"], "event"), (["portal", "seed"], "file")])
def test_the_help_says_which_files_are_json(command, dest):
    parser = build_parser()
    for name in command:
        parser = _commands(parser).choices[name]
    assert re.search(r"\bJSON (seed )?file\b", next(a.help for a in parser._actions if a.dest == dest))


def test_a_mistyped_object_type_for_new_gets_did_you_mean(tmp_path):
    code, out, err = hs("new", "x", "--object-type", "COMPNY")
    assert (code, out) == (2, "")
    assert err.startswith("hs-actions: --object-type 'COMPNY' is not an object type HubSpot enrolls "
                          "(did you mean 'COMPANY'?): use one of CONTACT, COMPANY, DEAL, TICKET, ")
    assert not (project.current().actions / "x").exists()


def test_a_mistyped_object_type_for_portal_show_gets_did_you_mean(tmp_path):
    code, out, err = hs("portal", "show", "contcts", "--db", tmp_path / "portal.sqlite3")
    assert (code, out) == (2, "")
    assert err.startswith("hs-actions: unknown object type 'contcts' (did you mean 'contacts'?): "
                          "use one of contacts, companies, deals, tickets, products, line_items, ")


@pytest.mark.parametrize("argv, usage, said", [
    (["run", "lead_score", "--objectid", "3"], "usage: hs-actions run ",
     "hs-actions run: error: unrecognized arguments: --objectid 3 (did you mean '--object-id'?)"),
    (["list", "--jsn"], "usage: hs-actions list ", "hs-actions list: error: unrecognized arguments: --jsn (did you mean '--json'?)"),
    (["portal", "show", "--bogus"], "usage: hs-actions portal show ", "hs-actions portal show: error: unrecognized arguments: --bogus"),
])
def test_an_unknown_option_gets_its_commands_usage_and_the_closest_option(argv, usage, said):
    code, out, err = hs(*argv)
    assert (code, out) == (2, "")
    assert err.startswith(usage) and err.rstrip("\n").endswith(said)
