"""An action as the toolkit reads it, before anything runs: its folder (action.py, action.toml,
events/), its manifest validated, and where its `main` can end without a value.

The run (harness), the checks, the bundler and the account commands all read actions through
this package.
"""
