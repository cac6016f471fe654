"""The interpreter actions run on: HubSpot's Python 3.9 with HubSpot's library versions.

`setup()` builds it once (again with rebuild=True), as a virtual environment under .hs-actions/runtime from a Python
3.9 found by configuration (runtime_python), `python3.9` on PATH, or pyenv. `current()`
returns it, or, when none was prepared, the toolkit's own interpreter marked as a fallback
that every report mentions.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from hs_actions.core import hubspot_runtime, project
from hs_actions.core.errors import RuntimeSetupError

STAMP = "hs-actions-runtime.json"


@dataclass(frozen=True)
class Runtime:
    python: Path
    version: str
    libraries: dict[str, str] = field(default_factory=dict)
    fallback: bool = False

    def describe(self) -> str:
        libs = ", ".join(f"{name} {version}" for name, version in self.libraries.items())
        return f"Python {self.version}" + (f" ({libs})" if libs else "")

    @property
    def warning(self) -> str | None:
        if not self.fallback:
            return None
        return (
            f"ran on Python {self.version} (the toolkit's own interpreter), not HubSpot's Python "
            f"{hubspot_runtime.PYTHON}: install a Python {hubspot_runtime.PYTHON} and run "
            f"`hs-actions setup` for a faithful run"
        )


def current(env_dir: Path | None = None) -> Runtime:
    """The prepared runtime when it matches today's requirements and the runtime_python
    setting, else the fallback. A runtime_python setting that is not a Python 3.9 raises
    RuntimeSetupError, whether or not the runtime needs building."""
    env_dir = env_dir or project.current().runtime_env
    try:
        stamp = json.loads((env_dir / STAMP).read_text())
    except (OSError, ValueError):
        stamp = None
    configured = project.settings()["runtime_python"]
    built_from = stamp.get("base") if isinstance(stamp, dict) else None
    # Cheap when the runtime was built from the configured Python (it was checked then);
    # otherwise the setting is checked now, and a runtime built from another Python is stale.
    if configured and configured != built_from:
        _configured_base(configured)
        if built_from is not None:
            stamp = None
    if stamp and stamp.get("requirements") == _requirements_hash() and _python_in(env_dir).exists():
        return Runtime(_python_in(env_dir), stamp["version"], stamp["libraries"])
    return fallback()


def fallback() -> Runtime:
    from importlib import metadata  # only here: it is slow to import, and most runs never fall back

    libraries = {}
    for lib in hubspot_runtime.LIBRARIES:
        try:
            libraries[lib.distribution] = metadata.version(lib.distribution)
        except metadata.PackageNotFoundError:
            pass
    return Runtime(Path(sys.executable), platform.python_version(), libraries, fallback=True)


def find_base_python() -> Path | None:
    """A Python 3.9 to build the runtime from: configured, on PATH, or installed by pyenv."""
    configured = project.settings()["runtime_python"]
    if configured:
        return _configured_base(configured)
    candidates = [shutil.which(f"python{hubspot_runtime.PYTHON}") or ""]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    try:
        installed = [str(p) for p in pyenv_root.glob(f"versions/{hubspot_runtime.PYTHON}.*/bin/python{hubspot_runtime.PYTHON}")]
    except OSError:   # a pyenv this user may not read (another user's home): none found there
        installed = []
    candidates += sorted(installed, key=_version_key, reverse=True)
    return next((Path(c) for c in candidates if c and _version_of(c) == hubspot_runtime.PYTHON), None)


def _configured_base(configured: str) -> Path:
    """The runtime_python setting, when it is a Python 3.9; RuntimeSetupError naming it otherwise."""
    where = f"runtime_python = {configured!r} (pyproject.toml [tool.hs-actions] or HS_ACTIONS_RUNTIME_PYTHON)"
    fix = (f"point it at a Python {hubspot_runtime.PYTHON} interpreter, or remove it to let hs-actions "
           f"find one (python{hubspot_runtime.PYTHON} on PATH, or pyenv)")
    found = shutil.which(configured)
    if found is None:
        raise RuntimeSetupError(f"{where}: no such program (not an executable file, nor a command on PATH): {fix}")
    version = _version_of(found)
    if version != hubspot_runtime.PYTHON:
        said = f"is Python {version}" if version else "does not run as a Python"
        raise RuntimeSetupError(f"{where}: {found} {said}, not {hubspot_runtime.PYTHON}: {fix}")
    return Path(configured)


def setup(env_dir: Path | None = None, say=print, rebuild: bool = False) -> Runtime:
    """Build (or keep) the runtime environment; returns the runtime runs will use. With
    `rebuild`, build it again even when it is ready; the old one is replaced only by a
    finished build (RuntimeSetupError, and the old one kept, when there is nothing to build from)."""
    env_dir = env_dir or project.current().runtime_env
    ready = current(env_dir)
    if not ready.fallback and not rebuild:
        say(f"runtime ready: {ready.describe()}")
        return ready
    base = find_base_python()
    searched = f"runtime_python setting, python{hubspot_runtime.PYTHON} on PATH, pyenv"
    if base is None and rebuild:
        raise RuntimeSetupError(f"cannot rebuild the runtime: no Python {hubspot_runtime.PYTHON} found ({searched}); "
                                f"{env_dir} is left as it was")
    if base is None:
        say(f"no Python {hubspot_runtime.PYTHON} found ({searched}): actions will run on the toolkit's "
            f"Python {ready.version}, and say so")
        return ready
    say(f"rebuilding HubSpot's runtime from {base} in {env_dir}..." if rebuild
        else f"preparing HubSpot's runtime from {base} in {env_dir} (once)...")
    partial = env_dir.with_name(env_dir.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    _call([str(base), "-m", "venv", str(partial)], "create the runtime's virtual environment")
    python = _python_in(partial)
    _call([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
           *hubspot_runtime.requirements()], "install HubSpot's libraries into the runtime")
    probe = ("import json, platform; from importlib import metadata; print(json.dumps({'version': "
             "platform.python_version(), 'libraries': {d: metadata.version(d) for d in %r}}))"
             % [lib.distribution for lib in hubspot_runtime.LIBRARIES])
    found = json.loads(_call([str(python), "-c", probe], "read the runtime's versions"))
    found["requirements"] = _requirements_hash()
    found["base"] = str(base)   # what it was built from: current() compares the setting with it
    (partial / STAMP).write_text(json.dumps(found, indent=2))
    # Swapped in whole, so an interrupted setup never leaves a half-built runtime in use.
    shutil.rmtree(env_dir, ignore_errors=True)
    partial.rename(env_dir)
    runtime = current(env_dir)
    say(f"runtime ready: {runtime.describe()}")
    return runtime


def _python_in(env_dir: Path) -> Path:
    return env_dir / "bin" / "python"


def _requirements_hash() -> str:
    return hashlib.sha256("\n".join(hubspot_runtime.requirements()).encode()).hexdigest()[:16]


def _version_of(python: str) -> str | None:
    """"3.9" for a Python 3.9; None when `python` does not run as a Python."""
    try:
        out = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    version = out.stdout.strip()
    return version if out.returncode == 0 and re.fullmatch(r"\d+\.\d+", version) else None


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parts[-3].split(".")
    return tuple(int(p) if p.isdigit() else 0 for p in version)


def _call(command: list[str], what: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise RuntimeSetupError(f"could not {what} ({' '.join(command[:3])} ... exited {done.returncode}):\n{tail}")
    return done.stdout
