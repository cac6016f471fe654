"""`portal pull --anonymize`: every string value copied from the account becomes a fake of its kind.

What is replaced: every string property of every record (types `string` and `phone_number`, and
any property the catalogue does not define unless its value is a number, a boolean or a date),
owners' names, emails and team names, HubDB row names, paths and every text, URL, file and
location value, and forms' names, submit texts and field labels. What is kept: ids, enumeration values (the options code compares with), numbers,
dates, booleans, schema and pipeline definitions, and strings that have the shape of an id or of
one of HubSpot's codes where anonymize_kinds.json says a property holds one.

How, by kind (anonymize_kinds.json, by property name): a name, company, city, email, domain or
phone becomes a Faker value of that kind; any other text is rewritten token by token, so its
shape stays (an HTML body stays HTML, "Renewal - Ada Lovelace" stays two words, a dash and a
name) while no word of it survives: a name already replaced becomes its fake, an email-, URL-,
domain- or phone-like substring becomes a fake of its kind, a long number has its digits
replaced, and every other word but a few function words ("the", "with") becomes a Faker word.

Consistency: one value always gets the same fake, in every place (the same email as a contact's
`email`, inside an email body and as an owner's), and derived values follow (an email's domain is
the fake domain that `hs_email_domain` and the company's `domain` and `website` get; a phone's
last ten digits decide its fake, so `+44 20 7946 0958`, `+442079460958` and its calculated forms
agree). Fakes are keyed by an HMAC with a random key kept in the project's state folder, never in
the seed file: pulls on one machine agree, and nobody holding only the file can test a guessed
original against a fake (a fixed key would let anyone do that with this code).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path

from hs_actions.core import project
from hs_actions.core.errors import ToolkitError

KEY_FILE = "anonymize.key"   # in the project's state folder (.hs-actions/), never committed
_RULES = json.loads((Path(__file__).with_name("anonymize_kinds.json")).read_text())["kinds"]
_KINDS = [(re.compile(r["property"]), frozenset(r.get("objectTypes", ())), r["kind"]) for r in _RULES]
# Property types whose values are text; the others (numbers, dates, enumerations, booleans) are kept.
_TEXT_TYPES = {"string", "phone_number", "object_coordinates"}
# Words kept in rewritten text: they carry its shape and name nobody.
_FUNCTION_WORDS = frozenset("a an and are as at be by for from in is it of on or re fw fwd the to vs via with "
                            "about into per this that mailto tel http https".split())
_TOKEN = re.compile(r"""
    (?P<tag></?[A-Za-z][\w:-]{0,30}(?:\s[^<>]{0,1000})?/?>)    # an HTML tag: its attribute values change
  | (?P<entity>&\#?\w{1,10};)
  | (?P<email>[\w.+'%-]+@[\w-]+(?:\.[\w-]+)+)
  | (?P<url>(?:[a-zA-Z][\w+.-]*://|www\.)[^\s<>"'()\[\]{}]+)
  | (?P<domain>\b(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}\b)
  | (?P<phone>\+?\(?\d[\d\s().\-/]{5,}\d)
  | (?P<word>[^\W\d_]+)
  | (?P<number>\d+)
""", re.VERBOSE)
_ATTRIBUTE = re.compile(r"""(=\s*")([^"]*)(")|(=\s*')([^']*)(')|(=\s*)([^\s"'<>=`]+)()""")
# What a value of each kind looks like; one that does not (a name field holding a sentence, a
# phone field holding an email) is rewritten as text, so nothing in it survives.
_NAME = r"[^\W\d_]+(?:[ '.-]+[^\W\d_]+)*\.?"
_SHAPES = {kind: re.compile(shape) for kind, shape in {
    "first_name": _NAME, "last_name": _NAME, "full_name": _NAME,
    "company": r"[^@<>]{1,120}", "street_address": r"[^@<>]{1,120}", "city": _NAME, "state": _NAME,
    "country": _NAME, "job": r"[^@<>\d]{1,120}",
    "email": r"[\w.+'%-]+@[\w-]+(?:\.[\w-]+)+", "domain": r"(?:[a-zA-Z][\w+.-]*://)?[\w.-]+\.[A-Za-z]{2,}[^\s@<>]*",
    "phone": r"[\d\s()+./-]+(?:\s*(?:x|ext\.?)\s*\d+)?", "digits": r"[\d\s()+.-]+",
    "country_code": r"\+?[\w-]{1,8}", "state_abbr": r"[A-Za-z.-]{1,8}", "postcode": r"[\w -]{1,12}",
    "coordinate": r"-?\d+(?:\.\d+)?(?:\s*,\s*-?\d+(?:\.\d+)?)?", "handle": r"@?[\w.-]{1,60}",
}.items()}
_LONG_DIGITS = re.compile(r"\d[\d\s().-]{5,}\d")
_ID = re.compile(r"[\w:.;/-]*\d[\w:.;/-]*")
_CODE = re.compile(r"[A-Z0-9_:./-]+|[A-Za-z]+/[A-Za-z_]+|[a-z]{2}(?:[-_][A-Za-z]{2})?")
_KEPT_VALUE = re.compile(r"-?\d+(\.\d+)?|true|false|\d{4}-\d\d-\d\d([T ][\d:.]+(Z|[+-]\d\d:?\d\d)?)?", re.I)
_HUBDB_KEPT = {"SELECT", "MULTISELECT", "NUMBER", "CURRENCY", "DATE", "DATETIME", "BOOLEAN", "FOREIGN_ID", "NULL"}
_STRUCTURAL_KEYS = {"type", "id", "width", "height", "fileId", "mimeType"}   # inside HubDB file/image values


class AnonymizeError(ToolkitError):
    """The anonymization key cannot be read or made."""


def project_key(path: Path | None = None) -> bytes:
    """The machine's anonymization key (KEY_FILE in the project's state folder unless `path`):
    made at random the first time, then read; AnonymizeError naming the file when it cannot be.
    Made by a hard link of a finished file, so two pulls starting together agree on one key."""
    path = project.current().state / KEY_FILE if path is None else path
    if not path.is_file():
        scratch = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            scratch.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
            os.chmod(scratch, 0o600)
            try:
                os.link(scratch, path)
            except FileExistsError:
                pass
        except OSError as error:
            raise AnonymizeError(f"{path}: cannot make the anonymization key there ({error.strerror or error}): "
                                 f"make its folder writable") from None
        finally:
            scratch.unlink(missing_ok=True)
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise AnonymizeError(f"{path}: not an anonymization key ({error}): it holds 64 hexadecimal digits. Delete it "
                             f"and pull again to make a new one (fakes will then differ from earlier pulls)") from None
    if len(key) < 16:
        raise AnonymizeError(f"{path}: an anonymization key of {len(key)} bytes is too short to hide anything: delete "
                             f"it and pull again to make a new one (fakes will then differ from earlier pulls)")
    return key


def anonymize(seed: dict, backend, key: bytes) -> None:
    """Replace, in place, the personal data of a seed `portal pull` built (module docstring).
    `backend` is a portal backend holding the account's custom objects (for property types)."""
    fakes = Fakes(key)
    types = _property_types(seed, backend)
    # Names, emails, phones and places first, so that text rewritten afterwards uses their fakes.
    for early in (True, False):
        for type_name, records in seed.get("records", {}).items():
            known = types.get(type_name.removeprefix("p_"), {})
            for record in records:
                properties = record["properties"]
                for name, value in properties.items():
                    if not isinstance(value, str) or not _is_text(known.get(name, None), value):
                        continue
                    kind = kind_of(type_name.removeprefix("p_"), name)
                    if (kind not in ("text", "url", "id", "code")) == early:
                        properties[name] = fakes.of(kind, value)
        for owner in seed.get("owners", []):
            if early:
                for field, kind in (("email", "email"), ("firstName", "first_name"), ("lastName", "last_name")):
                    if isinstance(owner.get(field), str):
                        owner[field] = fakes.of(kind, owner[field])
            else:
                for team in owner.get("teams") or []:
                    if isinstance(team, dict) and isinstance(team.get("name"), str):
                        team["name"] = fakes.text(team["name"])
    for form in seed.get("forms", []):
        for text in (form, *form.get("fields", [])):
            for key in ("name", "submitText") if text is form else ("label",):
                if isinstance(text.get(key), str):
                    text[key] = fakes.text(text[key])
    for table in seed.get("hubdb", []):
        columns = {c["name"]: c["type"] for c in table.get("columns", [])}
        for row in table.get("rows", []):
            for field in ("name", "path"):
                if isinstance(row.get(field), str):
                    row[field] = fakes.text(row[field])
            values = row.get("values") or {}
            for column, value in values.items():
                kind = columns.get(column)
                if kind == "LOCATION" and isinstance(value, dict):   # a place: its numbers are personal too
                    values[column] = {k: float(fakes.coordinate(str(v))) if k in ("lat", "long") else v
                                      for k, v in value.items()}
                elif kind not in _HUBDB_KEPT:
                    values[column] = fakes.deep(value)


def kind_of(type_name: str, prop: str) -> str:
    """The kind of a string property (anonymize_kinds.json); free text when no rule names it."""
    for pattern, object_types, kind in _KINDS:
        if pattern.search(prop) and (not object_types or type_name in object_types):
            return kind
    return "text"


def _is_text(prop_type: str | None, value: str) -> bool:
    """A value to replace: a text type's, or one of a property no definition names, unless it
    reads as a number, a boolean or a date."""
    if prop_type is None:
        return not _KEPT_VALUE.fullmatch(value.strip())
    return prop_type in _TEXT_TYPES


def _property_types(seed: dict, backend) -> dict[str, dict[str, str]]:
    """{object type name: {property: type}}: the catalogue's, the account's custom objects' and
    the definitions the seed carries (the account's own, which win)."""
    types = {ot.name: {p.name: p.type for p in backend.defs[ot.type_id].values()} for ot in backend.types.values()}
    for name, listed in seed.get("properties", {}).items():
        types.setdefault(name, {}).update({p["name"]: p.get("type") for p in listed})
    for schema in seed.get("schemas", []):
        types.setdefault(schema["name"], {}).update({p["name"]: p.get("type") for p in schema.get("properties", [])})
    return types


def _shaped(original: str, fake: str) -> str:
    """`fake` in the case of `original`: ADA -> MARIA, ada -> maria, Ada -> Maria."""
    if len(original) > 1 and original.isupper():
        return fake.upper()
    if original[:1].isupper():
        return fake[:1].upper() + fake[1:]
    if original.islower():
        return fake.lower()
    return fake


class Fakes:
    """The fake of each value, by kind, the same every time: Faker seeded with an HMAC of the
    kind and the value. It remembers the names it replaced, so text mentioning them follows."""

    def __init__(self, key: bytes):
        from faker import Faker

        self.key = key
        self.faker = Faker("en_US")
        self.names: dict[str, str] = {}       # a word of a name or place, folded -> its fake
        self.phrases: dict[str, str] = {}     # a name or place of several words, folded -> its fake
        self._phrase_pattern: re.Pattern | None = None
        # Email is a unique property: two addresses must never share a fake, or the file would
        # not load. {original, folded: its fake} and {fake: its original}.
        self._emails: dict[str, str] = {}
        self._email_owners: dict[str, str] = {}
        self._domains: dict[str, str] = {}
        self._domain_owners: dict[str, str] = {}

    def _seeded(self, kind: str, value: str):
        digest = hmac.new(self.key, f"{kind}\0{value}".encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
        self.faker.seed_instance(int.from_bytes(digest[:8], "big"))
        return self.faker

    def _digit_stream(self, kind: str, value: str) -> str:
        digest = hmac.new(self.key, f"{kind}\0{value}".encode("utf-8", "surrogatepass"), hashlib.sha512).digest()
        return str(int.from_bytes(digest, "big"))[::-1]

    def of(self, kind: str, value: str) -> str:
        """The fake of `value`, a property of this kind; a list ("a;b") item by item."""
        if ";" in value and kind not in ("text", "url"):
            return ";".join(self.of(kind, part) for part in value.split(";"))
        if not value.strip():
            return value
        shape = _SHAPES.get(kind)
        if shape is not None and (not shape.fullmatch(value.strip()) or _LONG_DIGITS.search(value)
                                  and kind not in ("phone", "digits", "coordinate")):
            return self.text(value)
        return getattr(self, kind)(value)

    # ---- kinds that are whole values -------------------------------------------------------

    def _remember(self, original: str, fake: str) -> str:
        words, fakes = original.split(), fake.split()
        if len(words) == 1:
            self.names[words[0].casefold()] = fakes[0] if len(fakes) == 1 else fake
        elif words:
            folded = " ".join(words).casefold()
            if folded not in self.phrases:
                self.phrases[folded] = fake
                self._phrase_pattern = None     # made again, with this phrase, when text needs it
        return fake

    def _name_word(self, word: str, kind: str) -> str:
        folded = word.casefold()
        if folded not in self.names:
            made = getattr(self._seeded(kind, folded), kind)()
            self.names[folded] = made
        return _shaped(word, self.names[folded])

    def first_name(self, value: str) -> str:
        return re.sub(r"[^\W\d_]+", lambda m: self._name_word(m.group(), "first_name"), value)

    def last_name(self, value: str) -> str:
        return re.sub(r"[^\W\d_]+", lambda m: self._name_word(m.group(), "last_name"), value)

    def full_name(self, value: str) -> str:
        """The first word as a first name, the others as last names; an email as an email."""
        if "@" in value:
            return self.text(value)
        seen: list[str] = []

        def word(match: re.Match) -> str:
            seen.append(match.group())
            return self._name_word(match.group(), "first_name" if len(seen) == 1 else "last_name")
        return re.sub(r"[^\W\d_]+", word, value)

    def _whole(self, kind: str, value: str, method: str | None = None) -> str:
        folded = " ".join(value.split()).casefold()
        fake = self.phrases.get(folded) or self.names.get(folded) or str(getattr(self._seeded(kind, folded),
                                                                                 method or kind)())
        return self._remember(value, fake)

    def company(self, value: str) -> str:
        return self._whole("company", value)

    def street_address(self, value: str) -> str:
        return self._whole("street_address", value)

    def city(self, value: str) -> str:
        return self._whole("city", value)

    def state(self, value: str) -> str:
        return self._whole("state", value)

    def state_abbr(self, value: str) -> str:
        return str(self._seeded("state_abbr", value.casefold()).state_abbr())

    def country(self, value: str) -> str:
        return self._whole("country", value)

    def country_code(self, value: str) -> str:
        if value.strip().lstrip("+").isdigit():
            return self.digits(value)
        return str(self._seeded("country_code", value.casefold()).country_code())

    def postcode(self, value: str) -> str:
        return str(self._seeded("postcode", value.casefold()).postcode())

    def job(self, value: str) -> str:
        return str(self._seeded("job", value.casefold()).job())

    def handle(self, value: str) -> str:
        return ("@" if value.startswith("@") else "") + str(self._seeded("handle", value.casefold()).user_name())

    def email(self, value: str) -> str:
        if "@" not in value:
            return self.text(value)
        folded = value.strip().casefold()
        # The domain's fake first: _seeded reseeds the one faker, so none may be made inside make().
        domain = self.domain(folded.rpartition("@")[2])
        return self._unique("email", folded, lambda made: f"{made.user_name()}@{domain}", self._emails, self._email_owners)

    def domain(self, value: str) -> str:
        """A host's fake, the same for "www.x.com", "x.com" and "X.com"; a URL's path is dropped."""
        host = re.sub(r"^[a-zA-Z][\w+.-]*://", "", value.strip()).split("/")[0].split("?")[0]
        www = host.lower().startswith("www.")
        bare = host[4:] if www else host
        if "." not in bare:
            return self.text(value)
        # Under .example, a TLD that never resolves (RFC 2606): a fake address can never be
        # somebody's real one, even if an action mails it through an allowed host.
        fake = self._unique("domain", bare.casefold(), lambda made: f"{made.domain_word()}.example",
                            self._domains, self._domain_owners)
        return ("www." if www else "") + fake

    def _unique(self, kind: str, folded: str, make, fakes: dict[str, str], owners: dict[str, str]) -> str:
        """The fake of `kind` for `folded`, make(the faker seeded by it), no other value's: when
        another's fake came out, the next is seeded by it and a count. `fakes` and `owners`
        remember it both ways."""
        if folded not in fakes:
            attempt = 0
            while True:
                fake = make(self._seeded(kind, f"{folded}#{attempt}" if attempt else folded))
                if fake not in owners:
                    break
                attempt += 1
            fakes[folded], owners[fake] = fake, folded
        return fakes[folded]

    def url(self, value: str) -> str:
        return self.text(value)

    def phone(self, value: str) -> str:
        """Each digit replaced, the format kept; the last ten digits decide the fake, so a number
        written with or without its country code, or as the calculated properties do, agrees."""
        digits = re.sub(r"\D", "", value)
        if len(digits) < 5:
            return self.text(value) if re.search(r"[^\W\d_]", value) else self.digits(value)
        stream = iter(self._digit_stream("phone", digits[-10:]))
        return "".join(next(stream) if c.isdigit() else c for c in reversed(value))[::-1]

    def digits(self, value: str) -> str:
        stream = iter(self._digit_stream("digits", value))
        return "".join(next(stream) if c.isdigit() else c for c in value)

    def coordinate(self, value: str) -> str:
        made = self._seeded("coordinate", value)
        if "," in value:
            return f"{made.latitude()},{made.longitude()}"
        return str(made.latitude())

    def id(self, value: str) -> str:
        return value if _ID.fullmatch(value) else self.text(value)

    def code(self, value: str) -> str:
        return value if _CODE.fullmatch(value) else self.text(value)

    # ---- text ------------------------------------------------------------------------------

    def text(self, value: str) -> str:
        """Free text rewritten token by token (module docstring)."""
        if self._phrase_pattern is None:
            # Names and places of several words first (longest first), in the same pass as the
            # other tokens, so that a fake is never rewritten again.
            phrases = "|".join(r"\s+".join(map(re.escape, p.split()))
                               for p in sorted(self.phrases, key=len, reverse=True))
            self._phrase_pattern = re.compile((rf"(?P<phrase>(?<!\w)(?:{phrases})(?!\w))|" if phrases else "")
                                              + _TOKEN.pattern, re.VERBOSE | re.IGNORECASE)
        return self._phrase_pattern.sub(self._token, value)

    def _token(self, match: re.Match) -> str:
        kind, token = match.lastgroup, match.group()
        if kind == "phrase":
            return _shaped(token, self.phrases[" ".join(token.split()).casefold()])
        if kind == "tag":
            # Tag and attribute names stay; attribute values are text (a title, an href).
            return _ATTRIBUTE.sub(lambda m: "".join(self.text(part) if i % 3 == 1 else part   # (=", value, ")
                                                    for i, part in enumerate(m.groups()) if part is not None), token)
        if kind == "entity":
            return token
        if kind == "email":
            return self.email(token)
        if kind in ("url", "domain"):
            path = re.sub(r"^(?:[a-zA-Z][\w+.-]*://)?[^/?#]*", "", token)
            scheme = re.match(r"[a-zA-Z][\w+.-]*://", token)
            return (scheme.group() if scheme else "") + self.domain(token) + ("/" if path else "")
        if kind == "phone":
            return self.phone(token) if len(re.sub(r"\D", "", token)) >= 7 else \
                re.sub(r"\d+", lambda m: self._number(m.group()), token)
        if kind == "number":
            return self._number(token)
        if kind == "word":
            folded = token.casefold()
            if folded in self.names:
                return _shaped(token, self.names[folded])
            if folded in _FUNCTION_WORDS:
                return token
            return _shaped(token, self._seeded("word", folded).word())
        return token

    def _number(self, token: str) -> str:
        # Short numbers (a year, a quantity, an amount) say nothing of a person; long ones may.
        return token if len(token) <= 4 else self.digits(token)

    def deep(self, value):
        """A HubDB value: strings rewritten wherever they are, numbers and structure kept."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.deep(v) for v in value]
        if isinstance(value, dict):
            return {k: v if k in _STRUCTURAL_KEYS else self.deep(v) for k, v in value.items()}
        return value
