"""Phone numbers in E.164 form (+<country code><number>), as HubSpot's phone properties take them."""
import re

# Characters people type between digits; anything else (letters, extensions) is rejected.
_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]")
_COUNTRY_CODE = re.compile(r"^\+?([1-9][0-9]{0,2})$")
# E.164: at most 15 digits in all. The shortest numbers in use have 7 (country code included).
_E164_MIN_DIGITS = 7
_E164_MAX_DIGITS = 15
# North America (+1) numbers have exactly 10 digits after the country code.
_NANP_DIGITS = 10


def to_e164(number, default_country_code="1"):
    """`number` as E.164, e.g. "(415) 555-0100" -> "+14155550100".

    A number starting with + or 00 keeps its own country code; any other is national and gets
    `default_country_code` (its leading trunk 0 dropped, as in "020 7946 0958" for "44").
    Raises ValueError saying what is wrong with junk: letters, extensions, too few or too many
    digits, an empty value. Does not check that the number is assigned or dialable.
    """
    match = _COUNTRY_CODE.match(str(default_country_code).strip())
    if not match:
        raise ValueError(
            "default_country_code %r is not a country code: give 1 to 3 digits, e.g. '1' or '44'"
            % (default_country_code,)
        )
    country = match.group(1)
    if not isinstance(number, (str, int)) or isinstance(number, bool):
        raise ValueError("%r is not a phone number: expected a string" % (number,))
    text = str(number).strip()
    if not text:
        raise ValueError("no phone number: the value is empty")
    compact = _PHONE_SEPARATORS.sub("", text)
    international = compact.startswith("+") or compact.startswith("00")
    digits = compact[1:] if compact.startswith("+") else compact[2:] if international else compact
    if not digits.isdigit() or not digits.isascii():
        raise ValueError(
            "%r is not a phone number: only digits, spaces, - . ( ) / and a leading + are allowed"
            " (extensions cannot be written in E.164)" % (number,)
        )
    if international and digits.startswith("0"):
        raise ValueError("%r is not a phone number: no country code starts with 0" % (number,))
    if not international:
        if country == "1" and len(digits) == _NANP_DIGITS + 1 and digits.startswith("1"):
            digits = digits[1:]
        elif country != "1" and digits.startswith("0"):
            digits = digits[1:]
        if country == "1" and len(digits) != _NANP_DIGITS:
            raise ValueError(
                "%r is not a North American phone number: expected 10 digits, found %d"
                % (number, len(digits))
            )
        digits = country + digits
    elif digits.startswith("1") and len(digits) != _NANP_DIGITS + 1:
        # +1 is all of North America, whose numbers all have 10 digits after it.
        raise ValueError(
            "%r is not a North American phone number: expected 10 digits after +1, found %d"
            % (number, len(digits) - 1)
        )
    if not _E164_MIN_DIGITS <= len(digits) <= _E164_MAX_DIGITS:
        raise ValueError(
            "%r is not a phone number: E.164 numbers have %d to %d digits with the country code,"
            " this has %d" % (number, _E164_MIN_DIGITS, _E164_MAX_DIGITS, len(digits))
        )
    return "+" + digits
