"""How faithful the local portal is to HubSpot's own OpenAPI specs: schemathesis against it.

    ./scripts/spec_check SPECS [--match TEXT] [--examples N] [--details] [--all]

SPECS is a local copy of HubSpot's public spec collection (the repository
HubSpot/HubSpot-public-api-spec-collection, or any folder of its OpenAPI JSON files). Its
licence is internal use: keep it outside this repository; nothing here copies it.

Serves a portal (in memory, the default seed, a token with every scope, no rate limit) and,
for each OpenAPI file under SPECS (Postman collections are skipped), sorts its operations
into served (a route of urls.py answers that method and path, with every literal segment of
the spec's path either the route's own or an object type the portal knows, and no not-modelled
404 for the spec's own object type) and not modelled (the portal answers 404 or 405). A
generic {objectType} is the spec's own type, read from its folder (CRM/Goal Targets: goal
targets), or contacts for a spec of no one type (CRM/Objects). Each served operation gets --examples cases generated from
the spec (positive and negative, derandomized), with path parameters HubSpot's specs name
(objectType, contactId...) set to records of the seed, and each response goes through
schemathesis's checks. Prints, per spec with a served operation: operations, served, not
modelled, cases sent, and the operations failing each check; --details adds the first
failure of each (operation, check). Prints the versions of schemathesis and hypothesis it ran
with first, since its figures move with them. A run of the whole collection takes minutes.
Not part of ./scripts/test: the specs are not in the repository.
"""
from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import time
import warnings
from importlib.metadata import version
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import schemathesis  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,  # noqa: E402
                                                response_headers_conformance, response_schema_conformance,
                                                status_code_conformance)

from hs_actions.portal import exceptions as exc  # noqa: E402
from hs_actions.portal import urls  # noqa: E402
from hs_actions.portal.models import load  # noqa: E402
from hs_actions.portal.portal import ALL_SCOPES, Portal  # noqa: E402

TOKEN = "pat-local-spec-check"
CHECKS = {"5xx": not_a_server_error, "status": status_code_conformance, "content-type": content_type_conformance,
          "headers": response_headers_conformance, "shape": response_schema_conformance,
          "negative accepted": negative_data_rejection}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Path parameters as HubSpot's specs name them, set to what the default seed holds (contact 1
# is associated with company 308; deal 361, ticket 481; owner 101). Others are generated.
PATH_VALUES = {"objectType": "contacts", "fromObjectType": "contacts", "toObjectType": "companies",
               "objectId": "1", "fromObjectId": "1", "contactId": "1", "toObjectId": "308", "companyId": "308",
               "dealId": "361", "ticketId": "481", "propertyName": "email", "ownerId": "101",
               "pipelineId": "default", "stageId": "appointmentscheduled", "callbackId": "ap-1-2-3-4",
               "associationType": "contact_to_company"}
PIPELINE_VALUES = {"objectType": "deals"}     # pipelines exist for deals and tickets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("specs", type=Path, help="a local copy of HubSpot/HubSpot-public-api-spec-collection")
    parser.add_argument("--match", default="", help="only spec files whose path contains TEXT (e.g. CRM/)")
    parser.add_argument("--examples", type=int, default=15,
                        help="cases per served operation and generation mode (positive, negative); default 15")
    parser.add_argument("--details", action="store_true", help="print the first failure of each operation and check")
    parser.add_argument("--all", action="store_true", help="list every spec, also those with nothing served")
    args = parser.parse_args(argv)
    files = sorted(p for p in args.specs.rglob("*.json") if args.match in str(p.relative_to(args.specs)))
    if not files:
        print(f"spec_check: no JSON files under {args.specs} match {args.match!r}", file=sys.stderr)
        return 2
    warnings.filterwarnings("ignore")
    print("spec_check with " + ", ".join(f"{name} {version(name)}" for name in ("schemathesis", "hypothesis")))
    portal = Portal(db=":memory:")
    portal.rate_limit("unlimited")
    server = portal.serve()
    started = time.monotonic()
    try:
        rows = [row for path in files if (row := check_spec(portal, server.url, path, args)) is not None]
    finally:
        portal.close()
    report(rows, args)
    print(f"({time.monotonic() - started:.0f} s)")
    return 0


def check_spec(portal, base_url: str, path: Path, args) -> dict | None:
    """One spec's figures: operations, served, cases, failing operations by check; None if not OpenAPI."""
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if "openapi" not in document:
        return None
    name = str(path.relative_to(args.specs))
    row = {"spec": name, "operations": 0, "served": 0, "cases": 0, "errors": [],
           "failing": collections.defaultdict(dict)}
    served = []
    own = own_type(path.relative_to(args.specs))
    for spec_path, methods in document.get("paths", {}).items():
        for method in methods:
            if method in METHODS:
                row["operations"] += 1
                if is_served(portal, method.upper(), spec_path, own):
                    served.append(f"{method.upper()} {spec_path}")
    row["served"] = len(served)
    if not served:
        return row
    portal.reset()
    portal.seed_default()
    portal.add_token(TOKEN, ALL_SCOPES)
    schema = schemathesis.openapi.from_dict(document)
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {TOKEN}"
        for result in schema.get_all_operations():
            try:
                operation = result.ok()
            except Exception as error:   # an operation schemathesis cannot read: the spec's own error
                row["errors"].append(f"{type(error).__name__}: {str(error)[:200]}")
                continue
            if operation.label in served:
                exercise(operation, base_url, session, row, args.examples, own)
    return row


def own_type(relative: Path) -> str:
    """The object type a spec is about, from its folder under CRM (Goal Targets: goal_targets),
    as HubSpot's objects API spells it; contacts for a spec of no one type (Objects, Properties)."""
    parts = relative.parts
    folder = parts[parts.index("CRM") + 1] if "CRM" in parts[:-1] else ""
    name = folder.lower().replace(" ", "_")
    known = {entry["name"] for entry in load("hubspot_apis.json")["objectTypes"]}
    known |= {entry["name"] for entry in load("object_types.json")["standard"]}
    return name if name in known else "contacts"


def is_served(portal, method: str, spec_path: str, own: str = "contacts") -> bool:
    """Whether a route of urls.py serves `method spec_path` as the spec means it: a literal of
    the spec's path that the route reads as a parameter counts only if it is an object type
    (contacts), not when it is another resource (properties/{objectType}/groups); a generic
    object type is the spec's own, and a type the portal answers as not modelled is not served."""
    filled = re.sub(r"\{[^}/]+\}", lambda m: own if "objecttype" in m.group(0).lower() else "1", spec_path)
    try:
        route, params = urls.resolve(method, filled)
        for name in ("object_type", "to_object_type"):
            if name in params:
                urls.object_type(portal.backend, params[name])
    except exc.PortalError:
        return False
    for spec_part, route_part in zip(spec_path.split("/"), route.template.split("/")):
        if route_part.startswith("{") and not spec_part.startswith("{"):
            if route_part not in ("{object_type}", "{to_object_type}"):
                return False
            try:
                portal.backend.object_type(spec_part)
            except exc.PortalError:
                return False
    return True


def exercise(operation, base_url: str, session, row: dict, examples: int, own: str = "contacts") -> None:
    """Generated cases of one operation, positive and negative; failing checks recorded in row."""
    names = {p.name for p in operation.path_parameters}
    values = {**PATH_VALUES, **(PIPELINE_VALUES if "/pipelines/" in operation.path else {}),
              **({"objectType": own} if own != "contacts" else {})}
    fixed = {name: value for name, value in values.items() if name in names}
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed or None)

        @settings(max_examples=examples, derandomize=True, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case):
            response = case.call(base_url=base_url, session=session)
            row["cases"] += 1
            for check_name, check in CHECKS.items():
                try:
                    case.validate_response(response, checks=[check])
                except FailureGroup as group:
                    failure = group.exceptions[0]
                    row["failing"][check_name].setdefault(
                        operation.label, f"{response.status_code} {mode.value}: {failure.title}: "
                                         f"{' '.join(str(failure.message).split())[:300]}")

        try:
            run()
        except Unsatisfiable:        # nothing to make invalid (a negative case of a path-only call)
            pass
        except Exception as error:   # cases schemathesis cannot generate from the spec's schema
            row["errors"].append(f"{operation.label} ({mode.value}): {type(error).__name__}: {str(error)[:200]}")


def report(rows: list[dict], args) -> None:
    columns = list(CHECKS)
    width = max([len(r["spec"]) for r in rows if r["served"] or args.all] + [20])
    print(f"{'spec':<{width}}  {'ops':>4} {'served':>6} {'not modelled':>12} {'cases':>6}  "
          + "  ".join(columns) + "  (operations failing each check)")
    totals = collections.Counter()
    for row in rows:
        totals.update({"specs": 1, "operations": row["operations"], "served": row["served"], "cases": row["cases"],
                       **{c: len(row["failing"][c]) for c in columns}})
        if row["served"] or args.all:
            print(f"{row['spec']:<{width}}  {row['operations']:>4} {row['served']:>6} "
                  f"{row['operations'] - row['served']:>12} {row['cases']:>6}  "
                  + "  ".join(f"{len(row['failing'][c]):>{len(c)}}" for c in columns))
        if args.details:
            for check in columns:
                for label, first in sorted(row["failing"][check].items()):
                    print(f"    {check}: {label}: {first}")
            for error in row["errors"]:
                print(f"    not generated: {error}")
    unserved = [r for r in rows if not r["served"]]
    if unserved and not args.all:
        print(f"{len(unserved)} other specs ({sum(r['operations'] for r in unserved)} operations): nothing served")
    print(f"{'total':<{width}}  {totals['operations']:>4} {totals['served']:>6} "
          f"{totals['operations'] - totals['served']:>12} {totals['cases']:>6}  "
          + "  ".join(f"{totals[c]:>{len(c)}}" for c in columns) + f"  ({totals['specs']} specs)")


if __name__ == "__main__":
    sys.exit(main())
