"""The actions' own shared code: `shared.helpers`, imported by actions as `from shared.helpers...`.

Runs on HubSpot's Python 3.9 with HubSpot's libraries only; the bundler inlines what an
action uses into its paste-ready file. Never installed: the toolkit is the package hs_actions.
"""
