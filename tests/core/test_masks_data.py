"""Masks.all() over nested data: every string it reaches is masked in each form a value takes,
wherever it sits; data that holds no value comes back as it is (the check a simulation's
thousands of runs pay for), and masks given the same secrets again are the same masks."""
import dataclasses
import json
from urllib.parse import quote, quote_plus

import pytest

from hs_actions.core.masking import Masks

# Each needs another escape in JSON: a quote, a backslash, non-ASCII, a control character.
VALUES = ['pat-na1-"quoted"-x', "back\\slash-value", "pässwort-Zürich-42", "tab\there-value", "emoji-😀-token"]
MASK = "[secret TOKEN]"


@dataclasses.dataclass
class Inner:
    text: str
    kept: str = dataclasses.field(default="", init=False)   # not an init field: all() leaves it


@dataclasses.dataclass
class Outer:
    inner: Inner
    items: list
    pairs: tuple = ()


def forms(value: str) -> list[str]:
    return [value, quote(value), quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1],
            json.dumps(value, ensure_ascii=False)[1:-1], repr(value)[1:-1], repr(value.encode())[2:-1]]


@pytest.mark.parametrize("value", VALUES)
def test_a_value_deep_in_data_is_masked_in_each_form(value):
    masks = Masks({"TOKEN": value})
    for form in forms(value):
        data = Outer(Inner(f"a {form} b"), [{"k": [f"x{form}"]}, {f"key {form}": 1}], (f"({form})",))
        masked = masks.all(data)
        assert masked.inner.text == f"a {MASK} b"
        assert masked.items == [{"k": [f"x{MASK}"]}, {f"key {MASK}": 1}]
        assert masked.pairs == (f"({MASK})",)


def test_keys_json_cannot_write_do_not_hide_a_value():
    masks = Masks({"TOKEN": VALUES[0]})
    assert masks.all({(1, 2): [VALUES[0]]}) == {(1, 2): [MASK]}
    assert masks.all({("a", VALUES[0]): 1}) == {("a", MASK): 1}


def test_data_without_a_value_comes_back_as_it_is():
    masks = Masks({"TOKEN": VALUES[2]})
    data = {"event": {"callbackId": "ap-1-2-3-0", "inputFields": {"a": [1, 2.5, None, True]}},
            "log": f"masked already: {MASK}", "bytes": VALUES[2].encode()}
    assert masks.all(data) is data
    outer = Outer(Inner("nothing secret"), ["a", {"b": "c"}])
    assert masks.all(outer) is outer


def test_what_all_never_masks_does_not_make_it_walk():
    # bytes, sets and a field set outside __init__ are left as they are, with or without a value.
    masks = Masks({"TOKEN": VALUES[1]})
    inner = Inner("plain")
    inner.kept = VALUES[1]
    data = [VALUES[1].encode(), {VALUES[1]}, inner]
    assert masks.all(data) is data


def test_masks_given_the_same_secrets_again_are_the_same_masks():
    masks = Masks({"TOKEN": VALUES[0]})
    assert masks.plus({"TOKEN": VALUES[0]}) is masks
    assert masks.plus({"TOKEN": "short"}) is masks          # too short to mask: adds nothing
    renamed = masks.plus({"OTHER": VALUES[0]})
    assert renamed is not masks and renamed.text(VALUES[0]) == "[secret OTHER]"
    more = masks.plus({"SECOND": VALUES[1]})
    assert more.text(f"{VALUES[0]} {VALUES[1]}") == f"{MASK} [secret SECOND]"
