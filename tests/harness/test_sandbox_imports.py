"""Only the action process imports what the action's code imports at run time: the supervisor
(pid 1, outside the run's cgroup) preloads modules of HubSpot's libraries only (those the
action's file imports at its top level, and those of them runs went on to import), never
another module a run reports (attack class: imports)."""
import json

SEEN = 'object_type = "CONTACT"\n[outputs]\nseen = "string"\n'
# Imports a module in main (as an action could import one with side effects); a later run
# looks whether it was there before its own code ran.
IMPORTS_LATE = """
import json, sys
import requests
ALREADY = sorted(name for name in ("wave", "colorsys", "requests", "requests.cookies", "hubspot.crm.deals")
                 if name in sys.modules)

def main(event):
    import wave, colorsys
    import hubspot.crm.deals
    return {"outputFields": {"seen": json.dumps(ALREADY)}}
"""


def test_a_runs_imports_are_not_imported_in_the_supervisor(run_action, make_action):
    folder = make_action(IMPORTS_LATE, SEEN)
    first, second = (run_action(folder) for _ in range(2))
    assert first.ok and second.ok, (first.error, second.error)
    # The library module main imported (hubspot.crm.deals) is preloaded for the second run; the
    # standard library's wave and colorsys, which main imported too, are not. (requests, and
    # requests.cookies it brings, the file itself imports before it looks.)
    assert json.loads(first.outputs["seen"]) == ["requests", "requests.cookies"]
    assert json.loads(second.outputs["seen"]) == ["hubspot.crm.deals", "requests", "requests.cookies"]
