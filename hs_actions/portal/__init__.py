"""The local portal: HubSpot's CRM API served over HTTP on this machine, backed by SQLite.

Kept to this docstring on purpose: `hs_actions.portal.routing` is imported inside the action's
process on HubSpot's Python 3.9, so importing this package must cost nothing.
"""
