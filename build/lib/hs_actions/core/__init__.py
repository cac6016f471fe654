"""What every layer of the toolkit shares: its errors, settings and paths, HubSpot's runtime as
data, secret masking, colour, and the small text, TOML and import-reading helpers.

The bottom layer: it imports nothing else of the toolkit (tests/test_layers.py holds it to that).
"""
