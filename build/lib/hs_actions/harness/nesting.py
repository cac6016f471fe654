"""How deeply nested the JSON values a run carries (events in, outputs back) may be.

HubSpot's events are three levels deep and outputs are scalars; the bound keeps every step
that walks a value (merging, judging, masking, printing, sending to the runtime) far from
Python's recursion limit. The check itself does not recurse.
"""

MAX_DEPTH = 100


def deeper_than(value, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and dicts inside `value` nest more than `limit` levels deep."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            if depth >= limit:
                return True
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return False
