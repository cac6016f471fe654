"""Code that actions may import (`from shared.helpers.phone import to_e164`).

`hs-actions bundle` inlines what an action uses into its paste-ready file, so everything here
runs on HubSpot's Python 3.9 with only the standard library and HubSpot's libraries, and the
top-level names of all helpers are distinct (two helpers bundled together share one namespace).
"""
