import re

# Calling codes for the countries this team sells to; extend as needed.
CALLING_CODES = {"US": "1", "CA": "1", "GB": "44", "DE": "49", "FR": "33", "NL": "31", "AU": "61"}
COUNTRY_NAMES = {"united states": "US", "usa": "US", "canada": "CA", "united kingdom": "GB",
                 "uk": "GB", "germany": "DE", "france": "FR", "netherlands": "NL", "australia": "AU"}


def to_e164(raw, country):
    digits = re.sub(r"[^\d+]", "", raw)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+"):
        code = CALLING_CODES.get(country)
        if code is None:
            return None
        national = digits.lstrip("0")
        if code == "1" and len(national) == 11 and national.startswith("1"):
            national = national[1:]
        digits = f"+{code}{national}"
    return digits if re.fullmatch(r"\+[1-9]\d{7,14}", digits) else None


def main(event):
    fields = event["inputFields"]
    raw = (fields.get("phone") or "").strip()
    country = (fields.get("country") or "US").strip()
    country = COUNTRY_NAMES.get(country.lower(), country.upper())
    if not raw:
        return {"outputFields": {"e164": None, "valid": False}}
    e164 = to_e164(raw, country)
    print(f"{raw!r} ({country}) -> {e164 or 'not a valid number'}")
    return {"outputFields": {"e164": e164, "valid": e164 is not None}}
