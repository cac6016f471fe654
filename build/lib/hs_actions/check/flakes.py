"""Rules pyflakes finds: names undefined where they run, code Python will not compile, formats
that raise (errors), and code that runs but likely does not mean what it says (warnings)."""
from __future__ import annotations

from pyflakes import checker as pyflakes_checker

from hs_actions.check.registry import ERROR, FILE, WARNING, Finding, rule

# pyflakes' messages, by class name: the rule each is reported under and its severity. Errors
# are certain failures: a name undefined when its line runs, code Python will not compile,
# a format that raises. The rest are warnings; a class pyflakes adds later is a warning
# under "suspicious" until it is placed here.
PYFLAKES = {
    **dict.fromkeys(("UndefinedName", "UndefinedLocal", "UndefinedExport"), ("undefined-name", ERROR)),
    **dict.fromkeys(("DuplicateArgument", "ReturnOutsideFunction", "YieldOutsideFunction", "ContinueOutsideLoop",
                     "BreakOutsideLoop", "DefaultExceptNotLast", "TwoStarredExpressions",
                     "TooManyExpressionsInStarredAssignment", "ImportStarNotPermitted", "LateFutureImport",
                     "FutureFeatureNotDefined", "LazyImportNotAtModuleScope", "LazyImportStarNotPermitted"),
                    ("invalid-code", ERROR)),
    **dict.fromkeys(("PercentFormatInvalidFormat", "PercentFormatMixedPositionalAndNamed",
                     "PercentFormatUnsupportedFormatCharacter", "PercentFormatPositionalCountMismatch",
                     "PercentFormatExpectedMapping", "PercentFormatExpectedSequence", "PercentFormatMissingArgument",
                     "PercentFormatStarRequiresSequence", "StringDotFormatMissingArgument",
                     "StringDotFormatInvalidFormat", "StringDotFormatMixingAutomatic", "InvalidPrintSyntax"),
                    ("format-error", ERROR)),
    **dict.fromkeys(("UnusedImport", "UnusedVariable", "UnusedAnnotation", "UnusedIndirectAssignment",
                     "RedefinedWhileUnused", "ImportShadowedByLoopVar", "ImportStarUsed", "ImportStarUsage"),
                    ("unused", WARNING)),
    **dict.fromkeys(("AssertTuple", "IfTuple", "IsLiteral", "FStringMissingPlaceholders", "TStringMissingPlaceholders",
                     "MultiValueRepeatedKeyLiteral", "MultiValueRepeatedKeyVariable", "ForwardAnnotationSyntaxError",
                     "RaiseNotImplemented", "PercentFormatExtraNamedArguments",
                     "StringDotFormatExtraPositionalArguments", "StringDotFormatExtraNamedArguments",
                     "DoctestSyntaxError", "EagerUseOfLazyImport"), ("suspicious", WARNING)),
}
PYFLAKES_FIXES = {
    "undefined-name": "define it before this line on every path, or correct its spelling "
                      "(HubSpot fails the execution with NameError when the line runs)",
    "invalid-code": "correct the code: HubSpot cannot load the file",
    "format-error": "make the format and its arguments agree (it raises TypeError or ValueError when the line runs)",
    "unused": "remove it, or use it",
    "suspicious": "rewrite it to say what it means",
}


@rule("undefined-name", ERROR, "a name that is not defined where it is used (pyflakes)", takes=FILE)
@rule("invalid-code", ERROR, "code Python refuses to compile, such as return outside a function (pyflakes)",
      takes=FILE)
@rule("format-error", ERROR, "a %-format or str.format() call that raises when it runs (pyflakes)", takes=FILE)
@rule("unused", WARNING, "an import or variable never used, or redefined unused (pyflakes; a warning)", takes=FILE)
@rule("suspicious", WARNING, "code that runs but likely does not do what it says (pyflakes; a warning)",
      takes=FILE)
def pyflakes_rule(source) -> list[Finding]:
    """pyflakes' messages, under the rules and severities of PYFLAKES."""
    found = []
    for message in pyflakes_checker.Checker(source.tree, filename=source.display).messages:
        rule_id, severity = PYFLAKES.get(type(message).__name__, ("suspicious", WARNING))
        found.append(Finding(source.display, message.lineno, rule_id, message.message % message.message_args,
                             PYFLAKES_FIXES[rule_id], severity))
    return found
