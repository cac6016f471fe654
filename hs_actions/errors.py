"""The toolkit's errors: one base, subclasses that are just names.

Each means "the action could not be run" (exit code 2), as opposed to an action that ran and
failed, which is a Result, not an exception. Messages name the file, field or secret and say
how to fix it.
"""


class ToolkitError(Exception):
    exit_code = 2


class ActionNotFound(ToolkitError):
    pass


class ManifestError(ToolkitError):
    pass


class EventError(ToolkitError):
    pass


class SecretError(ToolkitError):
    pass


class RuntimeSetupError(ToolkitError):
    pass


class SeedError(ToolkitError):
    pass
