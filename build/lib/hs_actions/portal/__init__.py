"""The local portal: HubSpot's CRM API served over HTTP on this machine, backed by SQLite."""
