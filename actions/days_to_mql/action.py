from datetime import datetime, timezone

DAY_MS = 24 * 60 * 60 * 1000


def to_millis(value):
    """HubSpot sends datetime properties as epoch milliseconds, often as strings."""
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    # An ISO timestamp, as the CRM API returns it, is accepted too.
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def main(event):
    fields = event["inputFields"]
    if not fields.get("createdate") or not fields.get("mql_date"):
        print("not a marketing qualified lead yet")
        return {"outputFields": {"days_to_mql": None, "mql_day": None, "speed": "not_mql"}}

    created = to_millis(fields["createdate"])
    qualified = to_millis(fields["mql_date"])
    if qualified < created:
        raise ValueError(f"MQL date {qualified} is before the create date {created}")

    days = round((qualified - created) / DAY_MS, 1)
    print(f"created {datetime.fromtimestamp(created / 1000, timezone.utc):%Y-%m-%d}, MQL after {days} days")
    return {
        "outputFields": {
            "days_to_mql": days,
            "mql_day": qualified // DAY_MS * DAY_MS,  # date outputs are midnight UTC
            "speed": "fast" if days <= 7 else "slow",
        }
    }
