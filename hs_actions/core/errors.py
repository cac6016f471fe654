"""The toolkit's errors: one base, subclasses that are just names, and did_you_mean for their messages.

Each means "the action could not be run" (exit code 2), as opposed to an action that ran and
failed, which is a Result, not an exception. Messages name the file, field or secret and say
how to fix it.
"""


def did_you_mean(word: str, choices) -> str:
    """A hint naming the choice closest to a mistyped word, ` (did you mean 'x'?)`, or ''."""
    import difflib  # only here: this module is imported before every run starts

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class ToolkitError(Exception):
    exit_code = 2


class ActionNotFound(ToolkitError):
    pass


class ManifestError(ToolkitError):
    pass


class EventError(ToolkitError):
    pass


class LinkLeavesFolder(ToolkitError):
    """A file of an action folder is a symbolic link to a file outside it."""


class SecretError(ToolkitError):
    pass


class RuntimeSetupError(ToolkitError):
    pass


class SeedError(ToolkitError):
    pass
