"""HubSpot's dates: Unix milliseconds (often as strings) to and from Python dates.

Datetime properties and outputs are Unix milliseconds; date ones are the milliseconds of
midnight UTC. Input fields may arrive as strings ("1700000000000"), and the API returns date
properties as ISO text ("2024-01-31"), so every reader here accepts both.
"""
import datetime

MS_PER_DAY = 86400000
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_DATE_FORMS = "Unix milliseconds (e.g. '1700000000000') or an ISO date ('2024-01-31')"


def to_datetime(value):
    """`value` as an aware UTC datetime: Unix ms (int or digit string), ISO text, or a datetime.

    A naive datetime or ISO text without an offset is taken as UTC (HubSpot's runtime runs
    in UTC). Raises ValueError for anything else, empty values included.
    """
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime(value.year, value.month, value.day)
    elif isinstance(value, bool) or value is None:
        raise ValueError("%r is not a date: expected %s" % (value, _DATE_FORMS))
    elif isinstance(value, (int, float)):
        if value != int(value):
            raise ValueError("%r is not Unix milliseconds: it has a fraction" % (value,))
        return _EPOCH + datetime.timedelta(milliseconds=int(value))
    elif isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return _EPOCH + datetime.timedelta(milliseconds=int(text))
        try:
            # Python 3.9's fromisoformat does not read a "Z" suffix.
            moment = datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise ValueError("%r is not a date: expected %s" % (value, _DATE_FORMS)) from None
    else:
        raise ValueError("%r is not a date: expected %s" % (value, _DATE_FORMS))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def to_date(value):
    """The UTC calendar date of `value` (anything to_datetime reads)."""
    return to_datetime(value).date()


def datetime_to_ms(value):
    """Unix milliseconds of `value` (anything to_datetime reads), for datetime outputs."""
    delta = to_datetime(value) - _EPOCH
    return delta.days * MS_PER_DAY + delta.seconds * 1000 + delta.microseconds // 1000


def date_to_ms(value):
    """Unix milliseconds of midnight UTC on the date of `value`, for date outputs and properties."""
    return (to_date(value) - _EPOCH.date()).days * MS_PER_DAY


def days_between(start, end):
    """Whole calendar days (UTC) from `start` to `end`; negative when `end` is earlier."""
    return (to_date(end) - to_date(start)).days
