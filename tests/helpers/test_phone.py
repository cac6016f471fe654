"""shared.helpers.phone.to_e164: numbers as HubSpot's phone properties take them, junk refused."""
import pytest

from shared.helpers.phone import to_e164


@pytest.mark.parametrize(
    ("number", "country", "expected"),
    [
        ("(415) 555-0100", "1", "+14155550100"),
        ("415.555.0100", "1", "+14155550100"),
        ("1-415-555-0100", "1", "+14155550100"),
        ("+1 415 555 0100", "44", "+14155550100"),
        ("0044 20 7946 0958", "1", "+442079460958"),
        ("020 7946 0958", "44", "+442079460958"),
        ("020 7946 0958", "+44", "+442079460958"),
        ("030/12345678", "49", "+493012345678"),
        (4155550100, "1", "+14155550100"),
        ("  +33 1 23 45 67 89 ", "1", "+33123456789"),
    ],
)
def test_numbers_become_e164(number, country, expected):
    assert to_e164(number, default_country_code=country) == expected


def test_the_default_country_is_north_america():
    assert to_e164("415 555 0100") == "+14155550100"


@pytest.mark.parametrize(
    ("number", "country", "message"),
    [
        ("call me", "1", "'call me' is not a phone number: only digits, spaces, - . ( ) / and a leading + are allowed (extensions cannot be written in E.164)"),
        ("415 555 0100 x12", "1", "'415 555 0100 x12' is not a phone number: only digits, spaces, - . ( ) / and a leading + are allowed (extensions cannot be written in E.164)"),
        ("", "1", "no phone number: the value is empty"),
        ("   ", "1", "no phone number: the value is empty"),
        (None, "1", "None is not a phone number: expected a string"),
        (True, "1", "True is not a phone number: expected a string"),
        ("555 0100", "1", "'555 0100' is not a North American phone number: expected 10 digits, found 7"),
        ("+0 123 456 789", "1", "'+0 123 456 789' is not a phone number: no country code starts with 0"),
        ("1234", "44", "'1234' is not a phone number: E.164 numbers have 7 to 15 digits with the country code, this has 6"),
        ("+4412345678901234", "1", "'+4412345678901234' is not a phone number: E.164 numbers have 7 to 15 digits with the country code, this has 16"),
        ("٤١٥٥٥٥٠١٠٠", "1", "'٤١٥٥٥٥٠١٠٠' is not a phone number: only digits, spaces, - . ( ) / and a leading + are allowed (extensions cannot be written in E.164)"),
    ],
)
def test_junk_is_a_value_error_that_says_why(number, country, message):
    with pytest.raises(ValueError) as error:
        to_e164(number, default_country_code=country)
    assert str(error.value) == message


@pytest.mark.parametrize("country", ["", "0", "1234", "UK", None])
def test_a_bad_default_country_code_is_refused(country):
    with pytest.raises(ValueError) as error:
        to_e164("020 7946 0958", default_country_code=country)
    assert str(error.value) == (
        f"default_country_code {country!r} is not a country code: give 1 to 3 digits, e.g. '1' or '44'"
    )


def test_plus_one_numbers_need_ten_digits():
    from shared.helpers.phone import to_e164
    with pytest.raises(ValueError, match=r"'\+1 555 01002' is not a North American phone number: expected 10 digits after \+1, found 8"):
        to_e164("+1 555 01002")
    assert to_e164("+1 415 555 0100") == "+14155550100"
