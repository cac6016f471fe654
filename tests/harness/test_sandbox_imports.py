"""Only the action process imports what the action's code imports at run time: the supervisor
(pid 1, outside the run's cgroup) preloads nothing a run reports, only HubSpot's libraries
that the action's file imports at its top level (attack class: imports)."""
import json

SEEN = 'object_type = "CONTACT"\n[outputs]\nseen = "string"\n'
# Imports a module in main (as an action could import one with side effects); a later run
# looks whether it was there before its own code ran.
IMPORTS_LATE = """
import json, sys
import requests
ALREADY = sorted(name for name in ("wave", "colorsys", "requests") if name in sys.modules)

def main(event):
    import wave, colorsys
    return {"outputFields": {"seen": json.dumps(ALREADY)}}
"""


def test_a_runs_imports_are_not_imported_in_the_supervisor(run_action, make_action):
    folder = make_action(IMPORTS_LATE, SEEN)
    first, second = (run_action(folder) for _ in range(2))
    assert first.ok and second.ok, (first.error, second.error)
    # requests (HubSpot's, a top-level import) is preloaded for the second run; the modules
    # main imported are not.
    assert json.loads(second.outputs["seen"]) == ["requests"]
