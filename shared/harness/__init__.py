"""Runs one action as HubSpot would: event, secrets, limits, outputs, logs."""
from shared.harness.action import Action, load as load_action
from shared.harness.harness import Harness
from shared.harness.result import Error, Result

__all__ = ["Action", "Error", "Harness", "Result", "load_action"]
