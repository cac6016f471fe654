"""Why an action cannot be bundled, in the same form as a check finding:
`path:line: rule: message. Fix: ...`."""
from __future__ import annotations

from hs_actions.core.errors import ToolkitError


class BundleError(ToolkitError):
    """An action or a helper it imports cannot be inlined into one file, or written.

    `rule` is the id `hs-actions check` reports the problem under.
    """

    def __init__(self, message: str, path: str | None = None, line: int = 1, rule: str = "bundle",
                 fix: str = ""):
        self.message, self.path, self.line, self.rule, self.fix = message, path, line, rule, fix
        where = f"{path}:{line}: {rule}: " if path else ""
        super().__init__(where + message + (f". Fix: {fix}" if fix else ""))


class HelperError(BundleError):
    pass


class BundleWriteError(BundleError):
    pass
