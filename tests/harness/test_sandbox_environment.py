"""A run sees its code, its declared secrets and an empty /tmp: not the toolkit's environment,
the repository or the developer's files (attack class: environment)."""
from hs_actions.core import project
from hs_actions.harness import runtime

FOUND = 'object_type = "CONTACT"\n[inputs]\nneedle = { value = "" }\n[outputs]\nfound = "string"\n'
ENVIRON = """
import os

def main(event):
    needle = event["inputFields"]["needle"].encode()
    found = []
    for entry in os.listdir("/proc"):  # the parent's and every other process's environment
        if entry.isdigit():
            try:
                with open("/proc/%s/environ" % entry, "rb") as f:
                    if needle in f.read():
                        found.append(entry)
            except OSError:
                pass
    return {"outputFields": {"found": ",".join(found)}}
"""


def test_the_toolkits_environment_cannot_be_read_through_proc(attack, make_action):
    report = attack(make_action(ENVIRON, FOUND), inputs={"needle": attack.needle})
    assert report["status"] == "success", report["error"]
    assert report["outputFields"]["found"] == ""


FILES = 'object_type = "CONTACT"\n[inputs]\nenv_file = { value = "" }\nrepo = { value = "" }\n[outputs]\nseen = "string"\n'
READ_FILES = """
import os

def main(event):
    here = os.path.dirname(os.path.abspath(__file__))
    seen = []
    for path in (os.path.join(here, "..", ".env"), event["inputFields"]["env_file"],
                 os.path.join(event["inputFields"]["repo"], ".env"),
                 os.path.join(event["inputFields"]["repo"], "pyproject.toml")):
        try:
            with open(path) as f:
                seen.append(f.read())
        except OSError as error:
            seen.append(type(error).__name__)
    seen.append(",".join(sorted(os.listdir(event["inputFields"]["repo"]))))
    return {"outputFields": {"seen": "|".join(seen)}}
"""


def test_undeclared_secrets_on_disk_cannot_be_read(attack, make_action, tmp_path):
    (tmp_path / ".env").write_text("UNDECLARED_TOKEN=never-shown-to-the-action\n")
    folder = make_action(READ_FILES, FILES)  # tmp_path/action_0: ../.env is the file above
    report = attack(folder, inputs={"env_file": str(tmp_path / ".env"), "repo": str(project.current().root)})
    assert report["status"] == "success", report["error"]
    relative, absolute, repo_env, pyproject, listing = report["outputFields"]["seen"].split("|")
    assert (relative, absolute, repo_env, pyproject) == ("FileNotFoundError",) * 4
    # Of the repository, only what runs need: the shared helpers, and the runtime if it is there.
    python = runtime.current().python
    runtime_top = {python.relative_to(project.current().root).parts[0]} if python.is_relative_to(project.current().root) else set()
    assert set(listing.split(",")) == {"shared"} | runtime_top
