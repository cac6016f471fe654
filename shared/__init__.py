"""hs-actions: run, test and bundle HubSpot workflow custom-code actions locally.

Kept empty on purpose: `shared.helpers` is imported by actions on HubSpot's Python 3.9, so
importing this package must not pull in the toolkit.
"""
