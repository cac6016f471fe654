from shared.helpers.dates import MS_PER_DAY, date_to_ms, datetime_to_ms, to_date


def main(event):
    fields = event["inputFields"]
    if not fields.get("createdate") or not fields.get("mql_date"):
        print("not a marketing qualified lead yet")
        return {"outputFields": {"days_to_mql": None, "mql_day": None, "speed": "not_mql"}}

    # Epoch milliseconds, often as strings; ISO text is read too.
    created = datetime_to_ms(fields["createdate"])
    qualified = datetime_to_ms(fields["mql_date"])
    if qualified < created:
        raise ValueError(f"MQL date {qualified} is before the create date {created}")

    days = round((qualified - created) / MS_PER_DAY, 1)
    print(f"created {to_date(created)}, MQL after {days} days")
    return {
        "outputFields": {
            "days_to_mql": days,
            "mql_day": date_to_ms(qualified),  # date outputs are midnight UTC
            "speed": "fast" if days <= 7 else "slow",
        }
    }
