"""One paste-ready file per action: dist/<name>.py.

The file is the action's action.py with the helpers it uses inlined (hs_actions/bundler/inline.py),
under a header that says what to set in HubSpot's UI (from action.toml) and a hash of the code,
so a copy that drifted from the bundle can be told apart later (`bundled_hash`).
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from hs_actions.core import files, hubspot_runtime, project
from hs_actions.bundler.errors import BundleWriteError
from hs_actions.bundler.inline import inline, section as _section
from hs_actions.bundler.sources import Source, load_helpers, read
from hs_actions.action import manifest as manifest_module
from hs_actions.action.folder import within_folder
from hs_actions.action.manifest import Manifest

HASH_LINE = "# hs-actions-hash: "
VERIFY_OPTION = "--hs-actions-code"
VERIFY_TIMEOUT_SECONDS = 600


def load(action_folder: Path, helpers_dir: Path | None = None) -> tuple[Source, list[Source]]:
    """The action's code and every helper it uses, parsed (HelperError on bad input)."""
    helpers_dir = helpers_dir or project.current().helpers
    action = read(action_folder / "action.py", "action", _display(action_folder), action_folder)
    return action, load_helpers(action, helpers_dir)


def bundle_text(action_folder: Path, helpers_dir: Path | None = None) -> str:
    """The bundle of the action in `action_folder`, as text (what `--print` shows)."""
    helpers_dir = helpers_dir or project.current().helpers
    manifest = manifest_module.load(within_folder(action_folder / manifest_module.FILENAME, action_folder,
                                                  manifest_module.FILENAME))
    action, helpers = load(action_folder, helpers_dir)
    code = inline(action, helpers)
    return header(action_folder.name, action, helpers, manifest, code) + code


def bundle(action_folder: Path, out_dir: Path, helpers_dir: Path | None = None) -> Path:
    """Write out_dir/<name>.py atomically and return its path.

    Raises HelperError for a broken helper setup and BundleWriteError when out_dir cannot be
    written; in both cases no file is left behind, and an earlier bundle stays as it was.
    """
    helpers_dir = helpers_dir or project.current().helpers
    text = bundle_text(action_folder, helpers_dir)
    path = Path(out_dir) / f"{action_folder.name}.py"
    write_atomic(path, text)
    return path


def write_atomic(path: Path, text: str) -> None:
    """core.files.write_atomic, its failure said as the bundle's (BundleWriteError)."""
    try:
        files.write_atomic(Path(path), text)
    except OSError as error:
        raise _write_error(Path(path).parent, error) from None


def _write_error(folder: Path, error: OSError) -> BundleWriteError:
    return BundleWriteError(
        f"cannot write the bundle into {folder}: {error.strerror or error}; nothing was written",
        fix=f"make {folder} a writable folder, or bundle into another one",
    )


def code_hash(code: str) -> str:
    """sha256 of the code, ignoring line endings, trailing spaces and blank lines at either end
    (what pasting into HubSpot's editor may change)."""
    lines = [line.rstrip() for line in code.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    normalized = "\n".join(lines).strip("\n")
    return "sha256:" + hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def _split(text: str) -> tuple[str | None, str]:
    """(the hash the header records, the code below the header); (None, text) without a header."""
    start = text.find("\n" + HASH_LINE)
    if text.startswith(HASH_LINE):
        start = -1
    elif start < 0:
        return None, text
    end = text.find("\n", start + 1)
    recorded = text[start + 1 + len(HASH_LINE):end if end >= 0 else len(text)].strip()
    return recorded, text[end + 1:] if end >= 0 else ""


def strip_header(text: str) -> str:
    """`text` without the toolkit's bundle header (the comment lines down to the hash line and
    the blank line after it); any other text unchanged."""
    recorded, code = _split(text)
    head = text[:len(text) - len(code)].splitlines()
    if recorded is None or not all(line.startswith("#") for line in head if line):
        return text
    return code[1:] if code.startswith("\n") else code


def bundled_hash(path: Path) -> str:
    """The hash of the code in a bundle as it is now (header excluded, so it compares with
    recorded_hash), or of a whole file without a bundle header, e.g. code copied from HubSpot."""
    return code_hash(_split(Path(path).read_text(encoding="utf-8"))[1])


def recorded_hash(path: Path) -> str | None:
    """The hash a bundle's header recorded when it was made; None for a file without one."""
    return header_hash(Path(path).read_text(encoding="utf-8"))


def header_hash(text: str) -> str | None:
    """The hash recorded in the header of bundle `text`; None without a header."""
    return _split(text)[0]


def verify(action_folder: Path, bundle_path: Path, *, python: str | None = None,
           pytest_args: tuple[str, ...] = (), timeout: float = VERIFY_TIMEOUT_SECONDS,
           running: set | None = None) -> tuple[bool, str]:
    """Re-run the action's own tests (test_<name>.py) against the bundled file.

    The contract with the pytest plugin is one option, `--hs-actions-code <name>=<path>`: the
    run_action fixture then runs that file instead of the action's action.py. Returns
    (passed, a report); an action without tests is not verified (False). Its pytest process is
    in `running` while it runs, for a caller that verifies several at once to end them.
    """
    action_folder = Path(action_folder).resolve()
    name = action_folder.name
    tests = action_folder / f"test_{name}.py"
    if not tests.is_file():
        return False, (f"not verified: {_display(action_folder, tests.name)} does not exist, so no test "
                       f"ran against the bundle. Fix: write tests for the action")
    command = [python or sys.executable, "-m", "pytest", str(tests), "-q", "--no-header",
               "-p", "no:cacheprovider", VERIFY_OPTION, f"{name}={Path(bundle_path).resolve()}",
               *pytest_args]
    running = set() if running is None else running
    with subprocess.Popen(command, cwd=action_folder.parent.parent, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as process:
        running.add(process)
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return False, f"not verified: the tests did not finish within {timeout:g} seconds"
        except BaseException:   # Ctrl-C or SIGTERM: its tests end with the command
            process.kill()
            raise
        finally:
            running.discard(process)
    output = (stdout + stderr).strip().splitlines()
    summary = output[-1] if output else "(no output)"
    if process.returncode == 0:
        return True, f"verified: {summary.strip('= ')} against the bundle"
    if process.returncode == 5:
        return False, f"not verified: no tests ran ({summary.strip('= ')})"
    tail = "\n".join(output[-40:])
    return False, f"not verified: the action's tests failed against the bundle (pytest exited {process.returncode}):\n{tail}"


def _display(action_folder: Path, file: str = "action.py") -> str:
    return f"{action_folder.parent.name}/{action_folder.name}/{file}"


def header(name: str, action: Source, helpers: list[Source], manifest: Manifest, code: str) -> str:
    """The comment block a bundle of `code` starts with: what to set in HubSpot's UI, and the
    hash. Public because check measures a bundle as it would be written, header included."""
    digest = code_hash(code)
    inlined = [h for h in helpers if _section(h.display) in code]
    made_from = action.display + "".join(f" + {h.display}" for h in inlined)
    lines = [
        f"{name}: paste-ready bundle made by `hs-actions bundle {name}` from {made_from}.",
        f"In HubSpot: a workflow 'Custom code' action, language Python {hubspot_runtime.PYTHON}; paste this whole file.",
        "Edit the action and bundle again instead of editing this copy: the hash below tells them apart.",
    ]
    if manifest.description:
        lines.insert(1, manifest.description)
    lines += ["", f"Secrets to tick: {', '.join(manifest.secrets) or '(none)'}"]
    lines.append("Properties to include in code (variable name = property):" if manifest.inputs
                 else "Properties to include in code: (none)")
    for field in manifest.inputs:
        value = f"property {field.property}" if field.property is not None else f"the value {field.value!r}"
        lines.append(f"  {field.name} = {value}")
    lines.append("Data outputs (name: type):" if manifest.outputs else "Data outputs: (none)")
    for output in manifest.outputs:
        kind = hubspot_runtime.OUTPUT_TYPES[output.type]
        options = f", options {', '.join(output.options)}" if output.options else ""
        lines.append(f"  {output.name}: {kind}{options}")
    header = "".join(f"# {line}".rstrip() + "\n" for line in lines)
    return header + HASH_LINE + digest + "\n\n"
