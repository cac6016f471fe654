"""The portal's errors: one class per failure kind, raised anywhere, serialised in one place.

Each class carries HubSpot's HTTP status and error category; a failure raised in many places
owns its words, as moto's exceptions do (`raise PropertyNotFound(name=..., object_type=...)`).
`error_body()` is the only code that builds the wire shape, so the official client raises
exactly what production would:

    {"status": "error", "message": ..., "correlationId": <uuid>, "category": ...,
     "subCategory"?, "context"?, "errors"?, "links"?}

A rate-limit refusal has HubSpot's other shape ({"errorType": "RATE_LIMIT", "policyName", ...}).
Every message the portal sends is a named constant in the block below.
"""
from __future__ import annotations

import uuid

from hs_actions.core.errors import ToolkitError

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
UNKNOWN_ROUTE = ("Unrecognized request URL ({method} {path}). HubSpot has no API at this path: check it "
                 "against HubSpot's API reference.")
# A call HubSpot answers but the local portal cannot: never to be mistaken for a bug in the action.
UNMODELLED_ROUTE = ("The local portal does not model {method} {path} ({family}): HubSpot serves this call, "
                    "but hs-actions cannot answer it locally, so this 404 is a gap in the local portal, not a "
                    "bug in your code. See \"What it does not do\" in hs_actions/portal/README.md.")
UNMODELLED_TYPE = ("The local portal does not model the object type {name} ({family}): HubSpot serves it, "
                   "but hs-actions cannot answer for it locally, so this 404 is a gap in the local portal, not "
                   "a bug in your code. See \"What it does not do\" in hs_actions/portal/README.md.")
UNMODELLED_SUB_CATEGORY = "hs_actions.NOT_MODELLED"
# An API HubSpot removed: its 404 is what production answers too, so the code calling it is what to fix.
SUNSET_ROUTE = ("Unrecognized request URL ({method} {path}). HubSpot sunset {family} on {date}: HubSpot "
                "answers this call with a 404 too. Call {instead} instead.")
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
PIPELINE_STAGE_METADATA = "A stage of this pipeline needs metadata.{key}, {allowed}; {value} was given."
STAGE_NOT_FOUND = "Unable to find stage {id} in pipeline {pipeline}"
UNKNOWN_FILTER_PROPERTY = "There was a problem with the request: property {name} does not exist for {object_type}"
FILTER_VALUE_MISSING = "Filter on {name} with operator {operator} needs {field}"
UNKNOWN_OPERATOR = "Unknown filter operator {operator}; use one of {allowed}"
UNKNOWN_SORT = "Unknown sort property {name} for {object_type}"
ASSOCIATION_TYPE_INVALID = "Association type {type_id} ({category}) is not valid between {from_type} and {to_type}"
NO_ASSOCIATION_TYPE = "There is no default association type between {from_type} and {to_type}"
NO_ASSOCIATIONS = "No {to_type} is associated with {from_type} {id}."
OWNER_OPTION = "{value} is not a valid owner id: no active owner has it"
SCHEMA_NOT_FOUND = "Unable to find a custom object schema for {name}"
FLOW_NOT_FOUND = "Flow {id} not found."
UNSUPPORTED_MEDIA_TYPE = ("Unsupported Media Type: the body is sent as {content_type}; this API reads JSON "
                          "(Content-Type: application/json)")
FLOW_INVALID = "Invalid flow: {field}: {problem}"
FLOW_STALE_REVISION = ("Flow {id} has changed since revision {given} was read (it is now at revision {current}): "
                       "read it again and apply the change to the current revision.")
# HubSpot's words for a create without a required property (PipedreamHQ/pipedream issue 12366).
REQUIRED_PROPERTIES = "Error creating {hubspot_name}. Some required properties were not set."
REQUIRED_PROPERTIES_CLEARED = "Error updating {hubspot_name}. Some required properties were cleared."
ASSOCIATION_FILTER_OPERATOR = ("Filters on associations.{name} take the operators EQ and IN, but {operator} was given.")
# Merge, GDPR delete (HubSpot publishes no wording for these refusals: the portal's own)
MERGE_SAME = "Cannot merge a record with itself: primaryObjectId and objectIdToMerge are both record {id}."
MERGE_UNSUPPORTED = ("Merging {object_type} records is not supported: HubSpot merges contacts, companies, deals, "
                     "tickets, appointments, courses, listings, services and custom objects.")
# Property and property group writes (the portal's own wording unless noted)
PROPERTY_FIELDS_MISSING = "Missing required field(s) {fields}: a property needs name, label, type, fieldType and groupName."
PROPERTY_FIELDS_UNKNOWN = "Unknown field(s) {fields}: what can change is {allowed}."
PROPERTY_EXISTS = "A property named {name} already exists for {object_type}."
PROPERTY_EXISTS_ARCHIVED = ("A property named {name} already exists for {object_type}, archived: an archived "
                            "property keeps its name.")
PROPERTY_NAME_INVALID = ("Invalid name {name}: an internal name starts with a lowercase letter and holds only "
                         "lowercase letters, digits and underscores, at most {maximum} characters.")
PROPERTY_TYPE_INVALID = "Invalid type {type}: use one of {allowed}."
PROPERTY_FIELD_TYPE_INVALID = "fieldType {field_type} does not go with type {type}: use one of {allowed}."
PROPERTY_GROUP_UNKNOWN = "Property group {group} does not exist for {object_type}."
PROPERTY_OPTIONS_UNEXPECTED = "A property of type {type} has no options: only enumeration and bool properties do."
PROPERTY_OPTIONS_REPEATED = "Option values must be unique; repeated: {values}."
PROPERTY_UNIQUE_FIELD_TYPE = "hasUniqueValue is for fieldType {allowed}, not {field_type}."
PROPERTY_UNIQUE_LIMIT = "{object_type} already has {maximum} properties with unique values, the most HubSpot allows."
PROPERTY_READ_ONLY_DEFINITION = "{name} is a HubSpot-defined property of {object_type}: its definition cannot be changed."
PROPERTY_NOT_ARCHIVABLE = "{name} is a HubSpot-defined property of {object_type}: it cannot be archived."
PROPERTY_GROUP_NOT_FOUND = "Unable to find property group {name} for object type {object_type}"
PROPERTY_GROUP_FIELDS_MISSING = "Missing required field(s) {fields}: a property group needs a name and a label."
PROPERTY_GROUP_EXISTS = "A property group named {name} already exists for {object_type}."
PROPERTY_GROUP_NOT_ARCHIVABLE = "{name} is a HubSpot-defined property group of {object_type}: it cannot be archived."
PROPERTY_GROUP_NOT_EMPTY = ("Property group {name} still holds {count} propert(ies) ({names}): move or archive them "
                            "before archiving the group.")
# Association labels (the portal's own wording)
LABEL_EXISTS = "An association label named {name} already exists between {from_type} and {to_type}."
LABEL_ID_TAKEN = "Association type ids {ids} between {from_type} and {to_type} are taken already."
LABEL_NOT_FOUND = "There is no association type {type_id} from {from_type} to {to_type}."
LABEL_NOT_USER_DEFINED = ("Association type {type_id} from {from_type} to {to_type} is {category}, not a label made "
                          "with this API: only those can be changed or deleted.")
LABEL_IN_USE = ("Association label {type_id} ({label}) is used by {count} association(s): remove it from those "
                "records before deleting it.")
# HubDB (the portal's own wording)
HUBDB_TABLE_NOT_FOUND = "Table {table} not found: no HubDB table has this id or name."
HUBDB_TABLE_NOT_PUBLISHED = "Table {table} has no published version: read its draft (.../draft) or publish it."
HUBDB_ROW_NOT_FOUND = "Row(s) {row} not found in table {table}."
HUBDB_COLUMN_UNKNOWN = "Column {column} does not exist in table {table}; its columns are {columns}."
HUBDB_OPERATOR_UNKNOWN = "Unknown filter operator {operator} on column {column}; use one of {allowed}."
HUBDB_OPERATOR_TYPE = "Filter operator {operator} does not apply to {type} column {column}; it applies to {allowed}."
HUBDB_FILTER_VALUE = "{value} is not a value {column}__{operator} can compare with a {type} column."
HUBDB_TABLE_EXISTS = "A HubDB table named {name} already exists."
HUBDB_SORT_UNKNOWN = "Unknown sort {name}; tables sort by {allowed}."
# Lists (the portal's own wording)
LIST_NOT_FOUND = "List {id} does not exist."
FORM_NOT_FOUND = "Form {id} does not exist."
FORM_EXISTS = "A form with id {id} exists already: give each form of a seed its own id, or none."
LIST_NOT_FOUND_BY_NAME = "No list named {name} for object type {object_type}."
LIST_NOT_MANUAL = ("List {id} is a {type} list: its members follow its filters, so records cannot be added or "
                   "removed by hand (only MANUAL and SNAPSHOT lists).")

# ---- messages of `hs-actions portal ...` and of opening the portal (toolkit errors, never HTTP)
SEED_UNKNOWN_KEYS = "unknown key(s) {keys}: a seed file's keys are {known}"
SEED_RECORD_EXISTS = ("record {object_type}/{id} already exists (in the portal, or earlier in the seed): give "
                      "the seed's records other ids, or none to have ids chosen, or empty the portal first "
                      "with `hs-actions portal reset`")
SEED_FLOW_EXISTS = "flow {id} already exists: give the seed's flow another id, or none to have one chosen"
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
SEED_HUBDB_EXISTS = "a HubDB table {what} already exists (in the portal, or earlier in the seed)"
SEED_HUBDB_ROW_EXISTS = "row {id} appears twice in HubDB table {table}"
SEED_HUBDB_COLUMN_TYPE = "column {name}: unknown HubDB column type {type}; the types are {allowed}"
SEED_HUBDB_COLUMN_UNKNOWN = "value for {name}, which is not a column of the table; its columns are {columns}"
SEED_HUBDB_VALUE = "{value} is not a value for {type} column {name}"
SEED_HUBDB_OPTION = "{value} is not an option of column {name}; its options are {allowed}"
SEED_LIST_TYPE = "processingType {type} is not one of {allowed}"
SEED_LIST_EXISTS = "a list {what} already exists (in the portal, or earlier in the seed)"
SEED_UNREADABLE = "not the shape of a seed ({kind}: {detail}); see hs_actions/portal/README.md"
DATABASE_IS_DIRECTORY = ("{path}: the portal database is a directory, not a file: choose a file path "
                         "(--portal-db), e.g. {path}/portal.sqlite3")
DATABASE_UNUSABLE = ("{path}: cannot use the portal database ({reason}). Run `{reset}` to start it again "
                     "empty (its records are lost), or choose another path (--portal-db).")
DATABASE_PLACE = ("{path}: cannot create the portal database there ({reason}): choose a path in a "
                  "writable directory (--portal-db)")
DATABASE_REPLACED = ("Moved {path}, which was not a database ({reason}), to {aside}, "
                     "and started an empty portal database in its place.")
DATABASE_BUSY = ("The local portal's database {path} stayed locked for {seconds} s: another process (a long "
                 "`hs-actions portal seed`?) is writing it. Try again once it is done.")
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


class InvalidInput(ValidationError):
    """A body or parameter the portal cannot read; `detail` says what is wrong with it."""

    def __init__(self, detail: str, **kwargs):
        super().__init__(INVALID_INPUT.format(detail=detail), **kwargs)


class UnknownObjectType(ValidationError):
    """HubSpot's 400 for an object type no spelling names."""

    def __init__(self, name: str):
        super().__init__(UNKNOWN_OBJECT_TYPE.format(name=name))
        self.name = name


class FilterValueMissing(ValidationError):
    """A search filter without the value (or values) its operator compares with."""

    def __init__(self, name: str, operator: str, field: str):
        super().__init__(FILTER_VALUE_MISSING.format(name=name, operator=operator, field=field))


class AssociationTypeInvalid(ValidationError):
    """An association type id that does not lead from one object type to the other."""

    def __init__(self, type_id, category: str, from_type: str, to_type: str):
        super().__init__(ASSOCIATION_TYPE_INVALID.format(type_id=type_id, category=category, from_type=from_type,
                                                         to_type=to_type))


class ObjectNotFound(PortalError):
    status = 404
    category = "OBJECT_NOT_FOUND"


class RecordNotFound(ObjectNotFound):
    """HubSpot's 404 for a record id (or unique value) that names no live record."""

    def __init__(self, object_id: str):
        super().__init__(OBJECT_NOT_FOUND, context={"id": [object_id]})


class PropertyNotFound(ObjectNotFound):
    """A property the object type does not define."""

    def __init__(self, name: str, object_type: str, **kwargs):
        super().__init__(PROPERTY_NOT_FOUND.format(name=name, object_type=object_type), **kwargs)


class UnknownRoute(PortalError):
    """HubSpot answers unknown paths with a bare 404; the portal also says what it does serve."""

    status = 404
    category = "OBJECT_NOT_FOUND"


class Sunset(PortalError):
    """A call of an API HubSpot has removed: HubSpot's 404, with the portal saying what replaced it."""

    status = 404
    category = "OBJECT_NOT_FOUND"


class Unmodelled(PortalError):
    """A call HubSpot serves that the local portal does not model (a 404 that says so)."""

    status = 404
    category = "OBJECT_NOT_FOUND"

    def __init__(self, message: str):
        super().__init__(message, sub_category=UNMODELLED_SUB_CATEGORY)


class MethodNotAllowed(PortalError):
    status = 405


class PayloadTooLarge(PortalError):
    status = 413


class UnsupportedMediaType(PortalError):
    """A body sent as another media type than JSON (text/plain, a form): HubSpot answers 415
    (its file and automation APIs are seen answering "Unsupported Media Type" in client issues)."""
    status = 415
    category = "VALIDATION_ERROR"

    def __init__(self, content_type: str):
        super().__init__(UNSUPPORTED_MEDIA_TYPE.format(content_type=content_type))


class PortalConflict(PortalError):
    """HubSpot's 409 CONFLICT: a unique value, label or id that is taken, a stale revision."""

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


class DatabaseBusy(ServerError):
    """Another process held the database's write lock for longer than the portal waits: a 503
    (which HubSpot's clients retry) saying so, never a 500 blaming the toolkit."""

    def __init__(self, path: str, seconds: float):
        super().__init__(503, DATABASE_BUSY.format(path=path, seconds=round(seconds)))
        self.headers = {"Retry-After": "1"}


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
