"""`portal pull --anonymize`: a canary name, phone and email written into every text property of
every object type (and into owners, teams and HubDB) of the account are nowhere in the seed
file, in any form; what is not personal (ids, options, numbers, dates, booleans) is kept, and
derived values follow their fakes."""
import contextlib
import io
import json
import re

import pytest

from hs_actions.account.anonymize import KEY_FILE, AnonymizeError, Fakes, kind_of, project_key
from hs_actions.core import project
from hs_actions.cli import main
from hs_actions.portal.portal import Portal
from tests.support import ACCOUNT_TOKEN

FIRST, LAST, DOMAIN = "Zebulon", "Quargh", "quarghmail.example"
EMAIL = f"zebulon.quargh@{DOMAIN}"
PHONE, PHONE_E164 = "+1 415-555-0199", "+14155550199"
CANARY = f"Renewal for {FIRST} {LAST} <{EMAIL}>, call {PHONE}"
HTML = f'<p>Hi {FIRST},</p><a href="mailto:{EMAIL}" title="{FIRST} {LAST}">write</a> or call {PHONE}'
# Forms a leak could take: the words in any case, the email's parts, the phone's digits however written.
WORDS = (FIRST, LAST, "quarghmail", "zebulon.quargh")
DIGITS = ("4155550199", "5550199")
OFFICE = {"lat": 37.7749, "long": -122.4194}
SAMPLE = {"datetime": "2024-05-01T09:00:00Z", "date": "2024-05-01", "number": "1", "bool": "true"}
TEXT_TYPES = ("string", "phone_number", "object_coordinates")


def canary_account() -> dict:
    """One record of every object type, every text property holding the canary (HTML where the
    property is HTML, the bare email where the portal checks for one); the other properties a
    type requires get plain values, kept as they are."""
    catalogue = Portal(db=":memory:")
    try:
        records = {}
        for ot in catalogue.backend.types.values():
            defs = catalogue.backend.defs[ot.type_id]
            values = {d.name: HTML if d.field_type == "html" else CANARY for d in defs.values() if d.type in TEXT_TYPES}
            for group in ot.required:
                if not any(name in values for name in group):
                    required = defs[group[0]]
                    values[required.name] = SAMPLE.get(required.type) or required.options[0]["value"]
            records[ot.name] = [{"id": "1", "properties": values}]
    finally:
        catalogue.close()
    contact = records["contacts"][0]["properties"]
    contact.update(email=EMAIL, firstname=FIRST, lastname=LAST, phone=PHONE, hs_calculated_phone_number=PHONE_E164,
                   hs_email_domain=DOMAIN, lifecyclestage="lead", annualrevenue="1234567")
    records["companies"][0]["properties"].update(domain=DOMAIN, website=f"https://www.{DOMAIN}/about/{FIRST}")
    records["pets"] = [{"id": "7", "properties": {"pet_name": f"{FIRST}'s dog", "species": "dog",
                                                  "vet_phone": PHONE}}]
    return {
        "schemas": [{"name": "pets", "objectTypeId": "2-77", "primaryDisplayProperty": "pet_name",
                     "properties": [{"name": "pet_name", "type": "string", "fieldType": "text"},
                                    {"name": "vet_phone", "type": "string", "fieldType": "phonenumber"},
                                    {"name": "species", "type": "enumeration", "fieldType": "select",
                                     "options": [{"label": "Dog", "value": "dog"}]}]}],
        "owners": [{"id": "101", "email": EMAIL, "firstName": FIRST, "lastName": LAST, "userId": 9,
                    "teams": [{"id": "5", "name": f"{LAST} team", "primary": True}]}],
        "hubdb": [{"id": 5, "name": "territories", "label": "Territories",
                   "columns": [{"name": "rep", "type": "TEXT"}, {"name": "bio", "type": "RICHTEXT"},
                               {"name": "site", "type": "URL"}, {"name": "tier", "type": "SELECT", "options": ["A"]},
                               {"name": "quota", "type": "NUMBER"}, {"name": "office", "type": "LOCATION"}],
                   "rows": [{"id": 11, "name": f"{FIRST} {LAST}", "path": f"{FIRST.lower()}-{LAST.lower()}",
                             "values": {"rep": CANARY, "bio": HTML, "site": f"https://{DOMAIN}/{FIRST}",
                                        "tier": "A", "quota": 250, "office": OFFICE}}]}],
        "forms": [{"id": "0c1a9e52-3c8e-4f38-9a55-2b1d6f3e7a10", "name": f"{FIRST} {LAST} intake",
                   "submitText": f"Send to {EMAIL}",
                   "fields": [{"name": "email", "label": f"Email for {FIRST}", "required": True},
                              {"name": "phone", "label": f"Call {PHONE}"}]}],
        "records": records,
    }


def leaks(document) -> list[str]:
    """Where a canary is in the document, in any form: "path: form"."""
    found = []

    def walk(value, path):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(k, f"{path}.{k}(key)")
                walk(v, f"{path}.{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]")
        elif isinstance(value, str):
            folded, digits = value.casefold(), re.sub(r"\D", "", value)
            found.extend(f"{path}: {w}" for w in WORDS if w.casefold() in folded)
            found.extend(f"{path}: {d}" for d in DIGITS if d in digits)
    walk(document, "")
    return found


@pytest.fixture
def canaries(account_portal):
    account_portal.seed(canary_account())
    return account_portal


@pytest.fixture(scope="module")
def pulled(account_portal_session, tmp_path_factory):
    """The canary account pulled with --anonymize once for the tests that only read the file
    (0.6 s of CPU each): account_portal_session set up as `canaries` sets it up, for this pull
    only (every test's account_portal empties it again)."""
    from hs_actions.portal.portal import ALL_SCOPES

    out, said = tmp_path_factory.mktemp("anonymized") / "account.json", io.StringIO()
    account_portal_session.reset()
    account_portal_session.rate_limit("unlimited")
    account_portal_session.add_token(ACCOUNT_TOKEN, ALL_SCOPES, name="account")
    account_portal_session.seed(canary_account())
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(said):
        patch.setenv("HS_ACTIONS_API_BASE", account_portal_session.server.url)
        patch.setenv("HUBSPOT_ACCESS_TOKEN", ACCOUNT_TOKEN)
        assert main(["portal", "pull", "--records", "5", "--anonymize", "--out", str(out)]) == 0
    account_portal_session.reset()
    assert "--anonymize" not in said.getvalue()   # no advice to do what was done
    return out


def test_the_canaries_are_there_to_find_without_anonymize(canaries, tmp_path):
    out = tmp_path / "plain.json"
    assert main(["portal", "pull", "--records", "5", "--out", str(out)]) == 0
    text_properties = sum(len(r[0]["properties"]) for r in canary_account()["records"].values())
    assert len({line.split(":")[0] for line in leaks(json.loads(out.read_text()))}) > text_properties // 2


def test_no_canary_is_left_in_any_form(pulled):
    text = pulled.read_text()
    assert leaks(json.loads(text)) == []
    for word in WORDS:          # nor in an escaped form
        assert word.casefold() not in text.casefold()
        assert word.casefold() not in text.encode("unicode_escape").decode().casefold()


def test_what_is_not_personal_is_kept_and_the_file_loads(pulled):
    seed = json.loads(pulled.read_text())
    contact = seed["records"]["contacts"][0]
    assert contact["id"] == "1"
    assert contact["properties"]["lifecyclestage"] == "lead"              # an option
    assert contact["properties"]["annualrevenue"] == "1234567"            # a number
    assert seed["records"]["pets"][0]["properties"]["species"] == "dog"
    row = seed["hubdb"][0]["rows"][0]
    assert row["values"]["tier"] == "A" and row["values"]["quota"] == 250
    office = row["values"]["office"]         # a place is personal: other numbers, the same shape
    assert set(office) >= {"lat", "long"} and isinstance(office["lat"], float) and office["lat"] != OFFICE["lat"]
    assert seed["owners"][0]["id"] == "101" and seed["owners"][0]["userId"] == 9
    assert seed["records"]["quotes"][0]["properties"]["hs_expiration_date"].startswith("2024-05-01")
    form = seed["forms"][0]                  # its id and the properties its fields fill are not personal
    assert form["id"] == "0c1a9e52-3c8e-4f38-9a55-2b1d6f3e7a10"
    assert [(f["name"], f["required"]) for f in form["fields"]] == [("email", True), ("phone", False)]
    assert all(f["label"] for f in form["fields"]) and form["name"] and form["submitText"]
    portal = Portal(db=":memory:")
    try:
        portal.seed(seed)        # what `portal seed` does with it
        assert portal.backend.counts()["contacts"] == 1
    finally:
        portal.close()


def test_derived_values_and_mentions_follow_the_fakes(pulled):
    seed = json.loads(pulled.read_text())
    contact = seed["records"]["contacts"][0]["properties"]
    first, last, email = contact["firstname"], contact["lastname"], contact["email"]
    domain = email.split("@")[1]
    assert domain.endswith(".example")   # a TLD that never resolves: no fake is a real address
    assert contact["hs_email_domain"] == domain
    company = seed["records"]["companies"][0]["properties"]
    assert company["domain"] == domain and company["website"] == f"https://www.{domain}/"
    # The phone keeps its format, and its calculated form agrees with it.
    assert re.fullmatch(r"\+\d \d{3}-\d{3}-\d{4}", contact["phone"])
    assert contact["hs_calculated_phone_number"] == "+" + re.sub(r"\D", "", contact["phone"])
    # The name replaced in the contact is replaced by the same fake wherever text mentions it.
    deal = seed["records"]["deals"][0]["properties"]["dealname"]
    assert f"{first} {last} <{email}>" in deal
    assert re.fullmatch(rf"\w+ for {first} {last} <{re.escape(email)}>, \w+ \+\d \d{{3}}-\d{{3}}-\d{{4}}", deal)
    body = seed["records"]["emails"][0]["properties"]["hs_email_html"]
    assert re.match(rf'<p>\w+ {first},</p><a href="mailto:{re.escape(email)}" title="{first} {last}">\w+</a>', body)
    owner = seed["owners"][0]
    assert (owner["firstName"], owner["lastName"], owner["email"]) == (first, last, email)
    assert re.fullmatch(rf"{last} \w+", owner["teams"][0]["name"]) and owner["teams"][0]["id"] == "5"
    assert seed["hubdb"][0]["rows"][0]["name"] == f"{first} {last}"
    assert seed["hubdb"][0]["rows"][0]["path"] == f"{first.lower()}-{last.lower()}"


def test_fakes_are_the_same_from_one_pull_to_the_next(canaries, tmp_path):
    first, again = tmp_path / "first.json", tmp_path / "again.json"
    assert main(["portal", "pull", "--records", "5", "--anonymize", "--out", str(first)]) == 0
    assert main(["portal", "pull", "--records", "5", "--anonymize", "--out", str(again)]) == 0
    assert json.loads(again.read_text())["records"] == json.loads(first.read_text())["records"]


def test_another_key_gives_other_fakes():
    # The key, not the code, decides the fakes: without it a fake cannot be matched to a guess.
    one, other = Fakes(b"1" * 32), Fakes(b"2" * 32)
    assert one.email(EMAIL) != other.email(EMAIL)
    assert one.phone(PHONE) != other.phone(PHONE)
    assert one.email(EMAIL) == Fakes(b"1" * 32).email(EMAIL)


def test_two_emails_never_share_a_fake():
    # contacts' email is unique: a shared fake would make the file fail to load.
    fakes = Fakes(b"k" * 32)
    made = {fakes.email(f"person{i}@big-customer.example") for i in range(3000)}
    assert len(made) == 3000 and len({m.split("@")[1] for m in made}) == 1
    assert fakes.email("Person7@Big-Customer.example") == fakes.email("person7@big-customer.example")


@pytest.mark.parametrize("type_name, prop, kind", [
    ("contacts", "firstname", "first_name"), ("contacts", "hs_email_domain", "domain"),
    ("contacts", "hs_calculated_phone_number", "phone"), ("calls", "hs_call_to_number", "phone"),
    ("companies", "name", "company"), ("products", "name", "text"), ("emails", "hs_email_subject", "text"),
    ("contacts", "hs_object_source_id", "id"), ("contacts", "hs_object_source", "code"),
    ("contacts", "hs_calculated_phone_number_country_code", "country_code"),
])
def test_kinds_by_property(type_name, prop, kind):
    assert kind_of(type_name, prop) == kind


def test_the_key_is_made_once_and_kept_private(tmp_path):
    path = tmp_path / "state" / "anonymize.key"
    key = project_key(path)
    assert len(key) == 32 and project_key(path) == key
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["anonymize.key"]    # no scratch file left


def test_a_damaged_key_is_a_clear_error_and_nothing_is_written(canaries, tmp_path, monkeypatch, capsys):
    (tmp_path / "pyproject.toml").write_text("[tool.hs-actions]\n")
    monkeypatch.setenv(project.PROJECT_ENV, str(tmp_path))
    key = project.current().state / KEY_FILE
    key.parent.mkdir()
    key.write_text("not hex at all\n")
    out = tmp_path / "account.json"
    assert main(["portal", "pull", "--records", "5", "--anonymize", "--out", str(out)]) == AnonymizeError.exit_code
    err = capsys.readouterr().err
    assert err.startswith(f"hs-actions: {key}: not an anonymization key (")
    assert "Delete it and pull again to make a new one" in err
    assert not out.exists()
