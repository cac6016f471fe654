"""shared.helpers.dates: HubSpot's epoch-millisecond values to and from dates."""
import datetime

import pytest

from shared.helpers.dates import MS_PER_DAY, date_to_ms, datetime_to_ms, days_between, to_date, to_datetime

UTC = datetime.timezone.utc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1706700000000", datetime.date(2024, 1, 31)),       # 11:20 UTC
        (1706659200000, datetime.date(2024, 1, 31)),         # midnight UTC
        (1706659199999, datetime.date(2024, 1, 30)),         # one ms before
        (" 1706700000000 ", datetime.date(2024, 1, 31)),
        ("2024-01-31", datetime.date(2024, 1, 31)),
        ("2024-01-31T23:30:00Z", datetime.date(2024, 1, 31)),
        ("2024-01-31T23:30:00-02:00", datetime.date(2024, 2, 1)),
        ("2024-01-31T10:00:00.123Z", datetime.date(2024, 1, 31)),
        (datetime.date(2024, 1, 31), datetime.date(2024, 1, 31)),
        ("-86400000", datetime.date(1969, 12, 31)),
    ],
)
def test_to_date_reads_milliseconds_and_iso_text_in_utc(value, expected):
    assert to_date(value) == expected


def test_to_datetime_is_aware_utc_to_the_millisecond():
    assert to_datetime("1706700000123") == datetime.datetime(2024, 1, 31, 11, 20, 0, 123000, tzinfo=UTC)
    assert to_datetime(datetime.datetime(2024, 1, 31, 12, 0)) == datetime.datetime(2024, 1, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", ["", "abc", "31/01/2024", None, True, 1.5, [1], "12.5"])
def test_junk_is_a_value_error_that_names_the_forms_accepted(value):
    with pytest.raises(ValueError) as error:
        to_date(value)
    expected = (
        f"{value!r} is not Unix milliseconds: it has a fraction" if value == 1.5
        else f"{value!r} is not a date: expected Unix milliseconds (e.g. '1700000000000') or an ISO date ('2024-01-31')"
    )
    assert str(error.value) == expected


def test_date_outputs_are_midnight_utc_milliseconds():
    assert date_to_ms(datetime.date(2024, 1, 31)) == 1706659200000
    assert date_to_ms("1706700000000") == 1706659200000
    assert date_to_ms(datetime.datetime(2024, 1, 31, 23, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))) == 1706659200000 + MS_PER_DAY
    assert date_to_ms("1970-01-01") == 0


def test_datetime_outputs_are_unix_milliseconds():
    assert datetime_to_ms(datetime.datetime(2024, 1, 31, 11, 20, 0, 123999, tzinfo=UTC)) == 1706700000123
    assert datetime_to_ms("1706700000123") == 1706700000123
    assert datetime_to_ms("2024-01-31T11:20:00+01:00") == 1706696400000
    assert datetime_to_ms(datetime.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)) == -1


def test_days_between_counts_utc_calendar_days():
    assert days_between("1706659200000", "2024-02-29") == 29
    assert days_between("2024-01-31T23:59:00Z", "2024-02-01T00:01:00Z") == 1
    assert days_between(datetime.date(2024, 3, 1), "2024-02-01") == -29
    assert days_between("1706700000000", 1706700000000) == 0
