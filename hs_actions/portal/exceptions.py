"""The portal's errors: one class per failure kind, raised anywhere, serialised in one place.

Each class carries HubSpot's HTTP status and error category. `error_body()` is the only code
that builds the wire shape, so the official client raises exactly what production would:

    {"status": "error", "message": ..., "correlationId": <uuid>, "category": ...,
     "subCategory"?, "context"?, "errors"?, "links"?}

A rate-limit refusal has HubSpot's other shape ({"errorType": "RATE_LIMIT", "policyName", ...}).
Every message the portal sends is a named constant in the block below.
"""
from __future__ import annotations

import uuid

from hs_actions.errors import ToolkitError

# ---- messages ------------------------------------------------------------------------------
MISSING_CREDENTIALS = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
    "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")
EXPIRED_TOKEN = "The OAuth token used to make this call expired {days} day(s) ago."
MISSING_SCOPES = (
    "This app hasn't been granted all required scopes to make this call. Read more about "
    "required scopes here: https://developers.hubspot.com/scopes.")
MISSING_SCOPES_DETAIL = "One or more of the following scopes are required."
SCOPES_LINK = "https://developers.hubspot.com/scopes"
RATE_LIMIT_INTERVAL = "You have reached your ten_secondly_rolling limit."
RATE_LIMIT_DAILY = "You have reached your daily limit."
RATE_LIMIT_SEARCH = "You have reached your secondly limit."
FORCED_SERVER_ERROR = "internal error"
UNKNOWN_ROUTE = ("Unrecognized request URL ({method} {path}). The local portal does not serve this "
                 "route; see hs_actions/portal/urls.py for the routes it does.")
INVALID_JSON = "Invalid input JSON on line {line}, column {column}: {detail}"
INVALID_INPUT = "Invalid input JSON: {detail}"
FIELD_TYPE = "{path} must be {expected}, not {found}"
FIELD_REQUIRED = "{path} is required"
LONE_SURROGATE = "the string {text} holds a lone UTF-16 surrogate, which is not text: send valid Unicode"
JSON_TOO_DEEP = "JSON nested more than {maximum} levels deep"
NUMBER_TOO_LONG = "a number has more than {maximum} digits"
# HubSpot answers a wrong method with 405 and an Allow header (and no body); the body is the portal's.
METHOD_NOT_ALLOWED = "Method {method} is not allowed on {path}; this path allows {allowed}."
# HubSpot publishes no request size limit: the cap and these messages are the portal's own.
BODY_TOO_LARGE = ("The request body is {size} bytes; the local portal accepts at most {maximum} bytes "
                  "per request: send fewer or smaller records per call.")
BODY_INCOMPLETE = "The request body ended after {received} of the {length} bytes announced by {source}."
BAD_CONTENT_LENGTH = "Content-Length {value!r} is not a number of bytes."
BAD_TRANSFER_ENCODING = ("Transfer-Encoding {value!r} is not supported (with Content-Length {length!r}): "
                         "send either a Content-Length or Transfer-Encoding: chunked.")
BAD_CHUNK = "The chunked request body is malformed: {detail}."
UNKNOWN_OBJECT_TYPE = "Unable to infer object type from: {name}"
OBJECT_NOT_FOUND = "Object not found.  objectId are usually numeric."
OBJECT_NOT_FOUND_ID_PROPERTY = "Object not found.  No {singular} with {property} {value}."
BATCH_NOT_FOUND = "Could not get some {hubspot_name} objects, they may be deleted or not exist. Check that ids are valid."
BATCH_TOO_LARGE = "Batch input is too large: {count} inputs were given, but the maximum is {maximum}."
DUPLICATE_IDS = "Duplicate IDs found in batch input: [{ids}]. IDs must be unique"
LIMIT_OUT_OF_RANGE = "limit must be between {minimum} and {maximum}, but was {value}."
SEARCH_WINDOW = "Paging past {maximum} results is not supported: after + limit = {value}."
# HubSpot's wording for a search `after` it cannot read as a number (reported by clients:
# 'unable to deserialize field "after"'); a negative one is refused with the portal's own.
SEARCH_AFTER_INVALID = 'Invalid input JSON: unable to deserialize field "after". Invalid value: {value}'
AFTER_NEGATIVE = ("after must be the paging.next.after of an earlier page, a number of 0 or more, "
                  "but was {value}.")
AFTER_INVALID = ("after must be the paging.next.after of an earlier page (a number of 0 or more), "
                 "but was {value!r}.")
TOO_MANY_SORTS = ("Only one sort is supported per search (HubSpot applies one sorting rule per search), "
                  "but {count} were given: {names}.")
PROPERTY_VALUES_INVALID = "Property values were not valid: {details}"
PROPERTY_DOESNT_EXIST = 'Property "{name}" does not exist'
INVALID_EMAIL = "Email address {value} is invalid"
PROPERTY_READ_ONLY = '"{name}" is a read only property; its value cannot be set.'
INVALID_OPTION = "{value} was not one of the allowed options: {allowed}"
INVALID_NUMBER = "{value} is not a valid number for property {name}"
INVALID_DATETIME = "{value} is not a valid datetime for property {name}: use milliseconds since the epoch or ISO 8601"
INVALID_DATE = "{value} is not a valid date for property {name}: use a date (YYYY-MM-DD) or midnight UTC in milliseconds"
INVALID_BOOL = "{value} is not a valid boolean for property {name}: use true or false"
UNIQUE_CONFLICT = "{singular} already exists. Existing ID: {id}"
PROPERTY_NOT_FOUND = "Unable to find property {name} for object type {object_type}"
OWNER_NOT_FOUND = "Owner not found: {id}"
PIPELINE_NOT_FOUND = "Unable to find pipeline {id} for object type {object_type}"
STAGE_NOT_FOUND = "Unable to find stage {id} in pipeline {pipeline}"
UNKNOWN_FILTER_PROPERTY = "There was a problem with the request: property {name} does not exist for {object_type}"
FILTER_VALUE_MISSING = "Filter on {name} with operator {operator} needs {field}"
UNKNOWN_OPERATOR = "Unknown filter operator {operator}; use one of {allowed}"
UNKNOWN_SORT = "Unknown sort property {name} for {object_type}"
ASSOCIATION_TYPE_INVALID = "Association type {type_id} ({category}) is not valid between {from_type} and {to_type}"
NO_ASSOCIATION_TYPE = "There is no default association type between {from_type} and {to_type}"
NO_ASSOCIATIONS = "No {to_type} is associated with {from_type} {id}."
OWNER_OPTION = "{value} is not a valid owner id: no active owner has it"

# ---- messages of `hs-actions portal ...` and of opening the portal (toolkit errors, never HTTP)
SEED_UNKNOWN_KEYS = "unknown key(s) {keys}: a seed file's keys are {known}"
SEED_RECORD_EXISTS = ("record {object_type}/{id} already exists (in the portal, or earlier in the seed): give "
                      "the seed's records other ids, or none to have ids chosen, or empty the portal first "
                      "with `hs-actions portal reset`")
SEED_UNKNOWN_SCOPES = "tokens[{index}]: unknown scope(s) {scopes}; the portal's scopes are {known}"
SEED_REFUSED = "not seeded, nothing was added: {detail}"
SEED_NOT_AN_OBJECT = "a seed is an object (dict) with the keys {known}, not {found}"
SEED_SHAPE = "{where}: expected {expected}, found {found}"
SEED_AT = " (at {where})"
SEED_UNKNOWN_PROPERTY_HINT = (
    "; a property the portal does not define is declared under the seed's \"properties\" key, e.g. "
    "{{\"properties\": {{\"{object_type}\": [{{\"name\": \"{name}\", \"type\": \"string\", "
    "\"fieldType\": \"text\"}}]}}}} (a custom object and its properties under \"schemas\"); see "
    "hs_actions/portal/README.md")
SEED_UNKNOWN_TYPE_HINT = ("; a custom object type is declared under the seed's \"schemas\" key, e.g. "
                          "{{\"schemas\": [{{\"name\": \"{name}\", \"objectTypeId\": \"2-1\", "
                          "\"primaryDisplayProperty\": \"name\", \"properties\": [...]}}]}}; see "
                          "hs_actions/portal/README.md")
SEED_UNREADABLE = "not the shape of a seed ({kind}: {detail}); see hs_actions/portal/README.md"
DATABASE_IS_DIRECTORY = ("{path}: the portal database is a directory, not a file: choose a file path "
                         "(--portal-db), e.g. {path}/portal.sqlite3")
DATABASE_UNUSABLE = ("{path}: cannot use the portal database ({reason}). Run `{reset}` to start it again "
                     "empty (its records are lost), or choose another path (--portal-db).")
DATABASE_PLACE = ("{path}: cannot create the portal database there ({reason}): choose a path in a "
                  "writable directory (--portal-db)")
DATABASE_REPLACED = ("Moved {path}, which was not a database ({reason}), to {aside}, "
                     "and started an empty portal database in its place.")
PORT_IN_USE = "port {port} is in use: choose another --port (or 0 for a free one)"
PORT_OUT_OF_RANGE = "port {port} is not a port number: choose one from 0 to 65535 (0 for a free one)"
CANNOT_LISTEN = "cannot serve the portal on {host}:{port} ({reason}): choose another --host or --port"


class PortalError(Exception):
    """A failure HubSpot answers with an error body. Subclasses set status and category."""

    status = 400
    category = "VALIDATION_ERROR"

    def __init__(self, message: str, *, sub_category: str | None = None,
                 context: dict | None = None, errors: list | None = None,
                 links: dict | None = None, headers: dict | None = None, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status
        self.message = message
        self.sub_category = sub_category
        self.context = context
        self.errors = errors
        self.links = links
        self.headers = headers or {}


class ValidationError(PortalError):
    pass


class ObjectNotFound(PortalError):
    status = 404
    category = "OBJECT_NOT_FOUND"


class UnknownRoute(PortalError):
    """HubSpot answers unknown paths with a bare 404; the portal also says what it does serve."""

    status = 404
    category = "OBJECT_NOT_FOUND"


class MethodNotAllowed(PortalError):
    status = 405


class PayloadTooLarge(PortalError):
    status = 413


class Conflict(PortalError):
    status = 409
    category = "CONFLICT"


class InvalidAuthentication(PortalError):
    status = 401
    category = "INVALID_AUTHENTICATION"


class ExpiredAuthentication(PortalError):
    status = 401
    category = "EXPIRED_AUTHENTICATION"


class MissingScopes(PortalError):
    status = 403
    category = "MISSING_SCOPES"

    def __init__(self, scopes: list[str]):
        super().__init__(MISSING_SCOPES, links={"scopes": SCOPES_LINK}, errors=[
            {"message": MISSING_SCOPES_DETAIL, "context": {"requiredGranularScopes": list(scopes)}}])
        self.scopes = scopes


class ServerError(PortalError):
    category = "INTERNAL_ERROR"

    def __init__(self, status: int, message: str = FORCED_SERVER_ERROR):
        super().__init__(message, status=status)


class RateLimited(PortalError):
    """HubSpot's 429: a different body shape, and the rate-limit headers of the refusal."""

    status = 429
    category = None

    def __init__(self, message: str, policy: str, headers: dict | None = None):
        super().__init__(message, headers=headers)
        self.policy = policy


class PortalDatabaseError(ToolkitError):
    """The portal's database file cannot be opened or is not a database (exit code 2)."""


class PortalServeError(ToolkitError):
    """`hs-actions portal serve` cannot listen where it was asked to."""


def error_body(error: PortalError, correlation_id: str | None = None) -> dict:
    """The one serialiser of HubSpot's error bodies."""
    correlation_id = correlation_id or str(uuid.uuid4())
    if isinstance(error, RateLimited):
        return {"status": "error", "message": error.message, "errorType": "RATE_LIMIT",
                "correlationId": correlation_id, "policyName": error.policy,
                "requestId": str(uuid.uuid4())}
    body = {"status": "error", "message": error.message, "correlationId": correlation_id}
    for key, value in (("subCategory", error.sub_category), ("context", error.context),
                       ("errors", error.errors), ("links", error.links)):
        if value is not None:
            body[key] = value
    body["category"] = error.category   # last, in the order HubSpot sends the keys
    return body


def batch_error(error: PortalError) -> dict:
    """One entry of a 207 batch response's `errors` (the client's StandardError needs every key)."""
    entry = {"status": "error", "category": error.category, "message": error.message,
             "context": error.context or {}, "errors": error.errors or [], "links": error.links or {}}
    if error.sub_category:
        entry["subCategory"] = error.sub_category
    return entry
