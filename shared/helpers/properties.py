"""Read and write a record's properties with hubspot-api-client 8.x (and later).

Property values are strings on the wire; `get_properties` returns them as HubSpot sends them
and `update_properties` turns Python values into HubSpot's strings.
"""
import datetime

from hubspot.crm.objects import SimplePublicObjectInput

from shared.helpers.dates import date_to_ms, datetime_to_ms

# event["object"]["objectType"] (upper case) -> the name the CRM API takes in its paths.
OBJECT_TYPE_PATHS = {
    "CONTACT": "contacts",
    "COMPANY": "companies",
    "DEAL": "deals",
    "TICKET": "tickets",
    "QUOTE": "quotes",
    "LINE_ITEM": "line_items",
    "PRODUCT": "products",
    "LEAD": "leads",
    "CALL": "calls",
    "EMAIL": "emails",
    "MEETING": "meetings",
    "NOTE": "notes",
    "TASK": "tasks",
    "COMMUNICATION": "communications",
    "FEEDBACK_SUBMISSION": "feedback_submissions",
}


def api_object_type(object_type):
    """The CRM API's name for an object type: "CONTACT" -> "contacts".

    API names ("contacts", "p_cars") and type ids ("0-1", "2-123") pass through unchanged.
    """
    if object_type in OBJECT_TYPE_PATHS:
        return OBJECT_TYPE_PATHS[object_type]
    if object_type.isupper():
        raise ValueError(
            "%r: no CRM API name known for this object type; pass the API name or type id "
            "instead (e.g. 'contacts' or '2-123')" % (object_type,)
        )
    return object_type


def to_property_value(value):
    """A Python value as the string HubSpot stores: None clears, booleans are "true"/"false",
    dates are midnight-UTC milliseconds, datetimes Unix milliseconds."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return str(datetime_to_ms(value))
    if isinstance(value, datetime.date):
        return str(date_to_ms(value))
    if isinstance(value, (int, float, str)):
        return str(value)
    raise ValueError("%r cannot be a property value: give a string, number, boolean or date" % (value,))


def get_properties(client, object_type, object_id, names):
    """{name: value} for the properties `names` of one record; a property without a value is None.

    Raises the client's ApiException when the record cannot be read (404 when it does not exist).
    """
    names = list(names)
    record = client.crm.objects.basic_api.get_by_id(
        api_object_type(object_type), str(object_id), properties=names
    )
    values = record.properties or {}
    return {name: values.get(name) for name in names}


def update_properties(client, object_type, object_id, values):
    """Set properties of one record from {name: value} (see to_property_value); returns the
    updated properties as HubSpot sends them back."""
    body = SimplePublicObjectInput(properties={name: to_property_value(v) for name, v in values.items()})
    record = client.crm.objects.basic_api.update(api_object_type(object_type), str(object_id), body)
    return record.properties or {}
