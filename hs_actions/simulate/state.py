"""What a run changed in the portal, and how a retried run's changes differ from a clean run's.

Portal.contents() gives records, archived records and associations. Records a run created get
new ids each time, so created records are compared by count per object type, and associations
of a created record with the created record's id left out; records that existed before are
compared property by property, except the properties that differ between two clean runs
(`noise`: a timestamp the action writes, say).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

NEW = "new"   # the id of a record the run created, in an association's signature


@dataclass
class Change:
    """What one run did to the portal, relative to the state before it."""
    created: dict[str, list[int]] = field(default_factory=dict)     # object type -> ids
    updated: dict[tuple, dict] = field(default_factory=dict)        # (type, id) -> {property: value}
    archived: set = field(default_factory=set)                       # (type, id)
    associated: Counter = field(default_factory=Counter)             # signature -> count


def change(before: dict, after: dict) -> Change:
    """The change from `before` to `after` (both Portal.contents())."""
    found = Change()
    old, new = before["records"], after["records"]
    for key in sorted(set(new) - set(old) - before["archived"]):
        found.created.setdefault(key[0], []).append(key[1])
    for key, properties in new.items():
        if key in old:
            delta = {p: v for p, v in properties.items() if old[key].get(p) != v}
            delta.update({p: None for p in old[key] if p not in properties})
            if delta:
                found.updated[key] = delta
    found.archived = (after["archived"] - before["archived"]) | {k for k in old if k not in new and k not in after["archived"]}
    existed = set(old) | before["archived"]
    for link in after["associations"] - before["associations"]:
        from_type, from_id, to_type, to_id, category, type_id = link
        if (from_type, str(from_id)) > (to_type, str(to_id)):
            continue   # the portal stores each association both ways: count one direction
        found.associated[(from_type, from_id if (from_type, from_id) in existed else NEW,
                          to_type, to_id if (to_type, to_id) in existed else NEW, category, type_id)] += 1
    return found


def noise(one: Change, other: Change) -> set[tuple]:
    """(type, id, property) whose value two clean runs set differently: not the retry's doing."""
    keys = set(one.updated) | set(other.updated)
    return {(*key, p) for key in keys for p in set(one.updated.get(key, {})) | set(other.updated.get(key, {}))
            if one.updated.get(key, {}).get(p) != other.updated.get(key, {}).get(p)}


def differences(clean: Change, retried: Change, ignore: set[tuple] = frozenset()) -> list[dict]:
    """How the retried run's change differs from the clean run's, each a dict with `kind`
    (duplicated, missing, changed, archived), a `message`, and the `records` concerned."""
    found = []
    for object_type in sorted(set(clean.created) | set(retried.created)):
        a, b = clean.created.get(object_type, []), retried.created.get(object_type, [])
        if len(b) > len(a):
            found.append({"kind": "duplicated", "records": [f"{object_type} {i}" for i in b],
                          "message": f"{len(b)} {object_type} created where a clean run creates {len(a)}: "
                                     f"{object_type} {', '.join(map(str, b))}"})
        elif len(b) < len(a):
            found.append({"kind": "missing", "records": [],
                          "message": f"{len(b)} {object_type} created where a clean run creates {len(a)}"})
    for key in sorted(set(clean.updated) | set(retried.updated)):
        a, b = clean.updated.get(key, {}), retried.updated.get(key, {})
        for prop in sorted(set(a) | set(b)):
            if (*key, prop) in ignore or a.get(prop) == b.get(prop):
                continue
            if prop not in b:
                what = f"is left as it was where a clean run sets {a[prop]!r}"
            elif prop not in a:
                what = f"is set to {b[prop]!r} where a clean run leaves it as it was"
            else:
                what = f"is {b[prop]!r} where a clean run sets {a[prop]!r}"
            found.append({"kind": "changed", "records": [f"{key[0]} {key[1]}"],
                          "message": f"{key[0]} {key[1]}: {prop} {what}"})
    if clean.archived != retried.archived:
        found.append({"kind": "archived", "records": [f"{t} {i}" for t, i in sorted(clean.archived ^ retried.archived)],
                      "message": "archived records differ from a clean run's: "
                                 + ", ".join(f"{t} {i}" for t, i in sorted(clean.archived ^ retried.archived))})
    for signature in sorted(set(clean.associated) | set(retried.associated), key=str):
        a, b = clean.associated[signature], retried.associated[signature]
        if a != b:
            from_type, from_id, to_type, to_id, _, type_id = signature
            found.append({"kind": "duplicated" if b > a else "missing",
                          "records": [f"{from_type} {from_id}", f"{to_type} {to_id}"],
                          "message": f"{b} association(s) {from_type} {from_id} -> {to_type} {to_id} (type {type_id}) "
                                     f"where a clean run makes {a}"})
    return found
