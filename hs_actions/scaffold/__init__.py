"""`hs-actions new`: a new action folder that runs and passes its test from the start."""
from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path
from string import Template

from hs_actions.core import files
from hs_actions.core import hubspot_runtime, project
from hs_actions.core.errors import ToolkitError, did_you_mean
from hs_actions.core.report import Report
from hs_actions.portal import models
from hs_actions.portal.portal import LOCAL_TOKEN

TEMPLATES = Path(__file__).with_name("templates") / "action"
# The property a new action reads, by object type, with a sample value for its test: names
# from the portal's catalogue (hs_actions/portal/data/properties/). Other types, custom objects
# among them, read hs_object_id, which every record has.
PROPERTIES = {
    "CONTACT": ("email", "ada@example.com"),
    "COMPANY": ("domain", "example.com"),
    "DEAL": ("dealname", "Annual renewal"),
    "TICKET": ("subject", "Cannot sign in"),
}
ANY_OBJECT = "hs_object_id"
# Values for the properties a type requires on create, where the default seed has no record of it.
REQUIRED_SAMPLES = {"hs_timestamp": "2026-01-15T09:00:00Z", "hs_initial_amount": "100", "hs_initiated_date": "2026-01-15"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_FILES = {  # template -> path in the action folder
    "action.py.tmpl": "action.py",
    "action.toml.tmpl": "action.toml",
    "default.json.tmpl": "events/default.json",
    "test.py.tmpl": "test_{name}.py",
}


def new(name: str, *, object_type: str = "CONTACT", secrets: list[str] | None = None) -> Report:
    """`hs-actions new`: create() with the one secret the command takes (--secret); what to do next."""
    secrets = secrets or ["HUBSPOT_TOKEN"]
    if len(secrets) > 1:
        raise ToolkitError("new: give one --secret (the token's); add other secrets to action.toml afterwards")
    folder = create(name, object_type=object_type, secret=secrets[0])
    lines = [f"created {folder}: edit action.py and action.toml, then `./scripts/run {name}`"]
    if hubspot_runtime.is_custom_object_type(object_type):
        # Its test seeds the schema it needs; the local portal `run` uses knows only what was seeded.
        lines.append(f"note: a run needs {object_type}'s schema and a record {_record(object_type)['object_id']} in the "
                     "local portal (its test seeds its own): `hs-actions portal pull` copies your account's "
                     "schemas, or `hs-actions portal seed FILE` adds one (\"schemas\" and \"records\")")
    return Report(lines)


def create(name: str, *, object_type: str = "CONTACT", secret: str = "HUBSPOT_TOKEN",
           actions_dir: Path | None = None, env_example: Path | None = None,
           env_file: Path | None = None) -> Path:
    """Write actions/<name>/ whole (or nothing) and add its secret to .env.example, and to
    .env when there is one (so the new action runs at once against the local portal)."""
    actions_dir = actions_dir or project.current().actions
    env_example = env_example or project.current().env_example
    env_file = env_file or project.current().env_file
    if not _NAME.match(name):
        raise ToolkitError(f"{name!r} is not a valid action name: use lower-case letters, digits and _, starting with a letter (it names test_{name}.py)")
    if not hubspot_runtime.is_object_type(object_type):
        hint = did_you_mean(object_type.upper(), hubspot_runtime.STANDARD_OBJECT_TYPES)
        raise ToolkitError(f"--object-type {object_type!r} is not an object type HubSpot enrolls{hint}: use one of "
                           f"{', '.join(hubspot_runtime.STANDARD_OBJECT_TYPES)}, or a custom object's type id such as 2-1234567")
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", secret):
        raise ToolkitError(f"--secret {secret!r} is not a secret name: use letters, digits and _")
    folder = actions_dir / name
    if folder.exists():
        raise ToolkitError(f"{folder} already exists: choose another name")
    values = {"name": name, "object_type": object_type, "secret": secret, **_record(object_type)}
    templates = TEMPLATES
    actions_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=actions_dir))
    try:
        for template, target in _FILES.items():
            path = staging / target.format(name=name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(Template((templates / template).read_text()).substitute(values))
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    add_secret_placeholder(secret, env_example)
    if env_file.exists():
        add_secret_placeholder(secret, env_file)
    return folder


def _record(object_type: str) -> dict:
    """What the new action reads and its test seeds, for one object type: the type's name in
    API paths, its read scope, the property read, and the record events/default.json names
    (the first of its type in the local portal's default seed, so `hs-actions run` finds it)."""
    types = models.load("object_types.json")
    spec = next((s for s in types["standard"] if s["hubspotName"] == object_type), None)
    custom = hubspot_runtime.is_custom_object_type(object_type)
    # Its name in API paths: a custom object's is its type id; a type the portal does not model
    # is spelt as HubSpot's paths spell the others (FEEDBACK_SUBMISSION: feedback_submissions).
    api_type = spec["name"] if spec else object_type if custom else object_type.lower() + "s"
    seeded = models.default_record(api_type)
    # A custom object's, or an unmodelled type's: the test seeds this id itself.
    object_id = seeded["id"] if seeded else "1"
    prop, sample = PROPERTIES.get(object_type, (ANY_OBJECT, object_id))
    # The properties HubSpot requires on create (one of each group), valued as in the default seed.
    given = seeded.get("properties", {}) if seeded else {}
    required = [next((p for p in group if p in given), group[0]) for group in (spec or {}).get("requiredProperties", [])]
    properties = {p: given.get(p, REQUIRED_SAMPLES.get(p, "sample")) for p in required}
    if prop != ANY_OBJECT:
        properties[prop] = sample
    record = {"id": object_id, "properties": properties}
    seed = {"records": {api_type: [record]}}
    if custom:  # the test portal knows no custom object until a schema names it
        seed = {"schemas": [{"name": f"objects_{object_type.replace('-', '_')}", "objectTypeId": object_type}], **seed}
    unmodelled = "" if spec or custom else (
        f'# The local portal does not hold {object_type} records yet, so nothing here can run.\n'
        f'pytestmark = pytest.mark.skip(reason="the local portal does not model {object_type} records")\n')
    return {"api_type": api_type, "read_scope": (spec or types["custom"])["scopes"]["read"],
            "property": prop, "var": prop, "expected": sample, "object_id": object_id, "seed": json.dumps(seed),
            "unmodelled": unmodelled and "\n" + unmodelled}


def add_secret_placeholder(secret: str, env_example: Path | None = None) -> bool:
    """Append `SECRET=<the local portal's token>` to .env.example (or the file given) unless the
    secret is there already, in one atomic write; True if added."""
    return bool(files.add_variables(env_example or project.current().env_example, [secret], LOCAL_TOKEN))
