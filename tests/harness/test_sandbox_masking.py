"""A secret is masked in the forms it takes on its way out, not only as itself: percent-encoded
(quote, quote_plus) in a request line, query string or form body, JSON-escaped in a JSON
body, and as a printed bytes value shows it (b'...' with \\x escapes); in the
report, --json, the logs and the portal's request log (attack class: masking)."""
import json

import pytest

from hs_actions.core.masking import encodings

# "+", "/" and "=" as in base64 tokens; a quote and a non-ASCII letter, which JSON escapes.
TOKEN = 'pat-na1-ab+cd/ef=="é'
MANIFEST = 'object_type = "CONTACT"\nsecrets = ["TOKEN"]\n[inputs]\nform = { value = "" }\n[outputs]\n'
SENDS_ENCODED = """
import os
from urllib.parse import quote
import requests

API = "https://api.hubapi.com/crm/v3/objects/contacts"

def main(event):
    token = os.environ["TOKEN"]
    form = event["inputFields"]["form"]
    headers = {"Authorization": "Bearer wrong-on-purpose"}
    if form == "printed-bytes":
        print(token.encode())
        return {"outputFields": {}}
    if form == "path-quote":
        sent = requests.get(API + "/" + quote(token), headers=headers, timeout=5)
    elif form == "path-quote-nothing-safe":
        sent = requests.get(API + "/" + quote(token, safe=""), headers=headers, timeout=5)
    elif form == "query-quote-plus":
        sent = requests.get(API, params={"after": token}, headers=headers, timeout=5)
    elif form == "form-body-quote-plus":
        sent = requests.post(API + "/search", data={"query": token}, headers=headers, timeout=5)
    else:  # json-body
        sent = requests.post(API + "/search", json={"query": token}, headers=headers, timeout=5)
    print(sent.request.method, sent.request.url)
    body = sent.request.body
    print(body.decode() if isinstance(body, bytes) else body)
"""
FORMS = ["path-quote", "path-quote-nothing-safe", "query-quote-plus", "form-body-quote-plus", "json-body",
         "printed-bytes"]


@pytest.mark.parametrize("form", FORMS)
def test_a_secret_is_masked_in_each_encoding(attack, make_action, form):
    report = attack(make_action(SENDS_ENCODED, MANIFEST), inputs={"form": form}, secrets={"TOKEN": TOKEN})
    shown = json.dumps(report, ensure_ascii=False)
    leaked = [encoded for encoded in encodings(TOKEN) if encoded in shown or json.dumps(encoded)[1:-1] in shown]
    assert leaked == []
    assert "[secret TOKEN]" in report["logs"]
    if form in ("path-quote", "path-quote-nothing-safe", "query-quote-plus"):
        assert any("[secret TOKEN]" in call["path"] + (call.get("query") or "") for call in report["api_calls"])
