"""Loading what a run calls: the action's file and its main, the repo's shared.helpers, and
the libraries a process imports ahead of a run.

The action is loaded as HubSpot loads it: a module from its file, main called with the event;
of the repository only shared.helpers can be imported (the bundler inlines it for HubSpot).
"""
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import os
import sys

# Modules that act when imported: preloading them in a zygote would hide that from the run.
NEVER_PRELOAD = {"this", "antigravity", "__hello__", "__phello__", "__main__"}


def import_action(path, module_name):
    sys.modules.pop(module_name, None)
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    # Registered like any imported module, so dataclasses and pickling inside it work.
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


class LoadError(Exception):
    """The action's file loaded but cannot be called as HubSpot calls it."""


def find_main(module, path):
    main = getattr(module, "main", None)
    if main is None:
        names = sorted(n for n, v in vars(module).items() if inspect.isfunction(v) and not n.startswith("_"))
        found = ", ".join(names) if names else "no functions"
        raise LoadError(
            "{} has no function main(event): HubSpot calls main with the event. Found: {}".format(path, found))
    if not callable(main):
        raise LoadError("{}: main is a {}, not a function main(event)".format(path, type(main).__name__))
    try:
        inspect.signature(main).bind({})
    except TypeError:
        raise LoadError("{}: main{} cannot be called as main(event): HubSpot passes exactly one "
                        "argument, the event".format(path, inspect.signature(main))) from None
    except ValueError:
        pass  # builtins without a signature: let the call decide
    return main


def main_kind(main):
    """What calling main gives instead of running it, for generator and async functions."""
    if inspect.isasyncgenfunction(main):
        return "async generator"
    if inspect.iscoroutinefunction(main):
        return "coroutine"
    if inspect.isgeneratorfunction(main):
        return "generator"
    return None


def library_modules(names, library_paths):
    """The newly imported modules that come from the runtime itself (standard library and
    installed libraries), not from the repo: the ones a zygote may import ahead of a run."""
    roots = tuple(os.path.abspath(p) + os.sep for p in library_paths if p)
    keep = []
    for name in names:
        module = sys.modules.get(name)
        origin = getattr(module, "__file__", None)
        if name.split(".")[0] in NEVER_PRELOAD:
            continue
        if name in sys.builtin_module_names or (origin and os.path.abspath(origin).startswith(roots)):
            keep.append(name)
    return sorted(keep)


class HelpersFinder(importlib.abc.MetaPathFinder):
    """Finds `shared.helpers` (which the bundler inlines for HubSpot) in the repo, and refuses
    every other module of the repo, as HubSpot would: it has none of them."""

    root = None

    def find_spec(self, name, path=None, target=None):
        # hs_actions too: on the fallback runtime the toolkit itself would be importable.
        if self.root is None or name.split(".")[0] not in ("shared", "hs_actions"):
            return None
        if name in ("shared", "shared.helpers") or name.startswith("shared.helpers."):
            spec = importlib.machinery.PathFinder.find_spec(name, path or [self.root])
            # In the sandbox a link out of shared/ dangles, and no spec is found: the file it
            # would be is refused by name all the same.
            origin = getattr(spec, "origin", None) or _linked_file(self.root, name)
            shared = os.path.realpath(os.path.join(self.root, "shared")) + os.sep
            if origin and not os.path.realpath(origin).startswith(shared):
                # A helper linked to a file outside shared/: not the repository's code to import.
                raise ImportError("{} ({}) is a symbolic link to {}, outside shared/: refused".format(
                    name, origin, os.path.realpath(origin)), name=name)
            return spec
        raise ModuleNotFoundError(
            "No module named {!r}: of this repository, actions may import only shared.helpers "
            "(inlined into the paste-ready bundle)".format(name), name=name)


def _linked_file(root, name):
    """The module file or package of `name` under `root` when it is there as a link, which may
    dangle; else None."""
    base = os.path.join(root, *name.split("."))
    for path in (base + ".py", base, os.path.join(base, "__init__.py")):
        if os.path.islink(path):
            return path
    return None


_helpers_finder = HelpersFinder()


def allow_helpers_from(root):
    _helpers_finder.root = root
    if _helpers_finder not in sys.meta_path:
        sys.meta_path.insert(0, _helpers_finder)


def preload(modules):
    """Import library modules ahead of a run. Only the runtime's own libraries are ever
    named (never the action or the repo's helpers, which each run imports fresh)."""
    for name in modules:
        if name.split(".")[0] not in NEVER_PRELOAD:
            try:
                importlib.import_module(name)
            except BaseException:  # one that cannot be imported now fails in the run, with its traceback
                pass


def warm_metadata(distributions):
    """Parse installed libraries' metadata once, here, rather than in every forked run.

    hubspot-api-client 8.x calls pkg_resources.require() each time an API object is made,
    and the first call in a process parses requirement strings (~30 ms). That is library
    start-up, like the imports preloaded above: it changes how long a run takes, not what
    it does.
    """
    pkg_resources = sys.modules.get("pkg_resources")
    if pkg_resources is None:
        return
    for name in distributions:
        try:
            pkg_resources.require(name)
        except Exception:
            pass
