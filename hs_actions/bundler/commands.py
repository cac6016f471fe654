"""`hs-actions bundle`, `drift` and `test`: what the CLI delegates to. Each returns a Report
(hs_actions.core.report) whose exit code is 0 done, 1 a bundle failed its checks or tests (or
the code differs, or a test failed), 2 could not run (ToolkitError)."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hs_actions.core import project
from hs_actions.bundler.bundle import (HASH_LINE, bundle_text, bundled_hash, header_hash, recorded_hash, verify,
                                   write_atomic)
from hs_actions.check import check, has_errors
from hs_actions.core.errors import ToolkitError
from hs_actions.core.report import Console, Report
from hs_actions.action import folder as action_module


def run_bundle(refs: list[str], all_: bool = False, print_: bool = False, out_dir: Path | None = None, *,
               actions_dir: Path | None = None, helpers_dir: Path | None = None,
               pytest_args: tuple[str, ...] = (), console: Console | None = None, write: bool = True,
               workers: int = 1) -> Report:
    """Check, bundle and verify each action; write out_dir/<name>.py only once its tests pass
    against the bundle. With print_, the bundle is the report (not verified); without write, each
    bundle is verified and not kept, and check's findings (already shown) are not said again
    (`hs-actions test`). `workers` verifications run at once (each is a pytest process).
    As each verification starts (seconds of tests) a line naming the action goes to the console's
    progress stream, and each action's result is shown as soon as it and those before it are
    known, in the actions' order, so that a log shows which action the time goes to."""
    actions_dir = actions_dir or project.current().actions
    helpers_dir = helpers_dir or project.current().helpers
    console = console or Console()
    out_dir = Path(out_dir) if out_dir is not None else project.current().dist
    report = Report()
    candidates: list[tuple[Path, str, Path]] = []
    try:
        for folder in _folders(refs, all_, actions_dir):
            findings = check([folder], helpers_dir)
            for finding in findings if write else ():
                console.note(str(finding))
            if has_errors(findings):
                console.note(f"{folder.name}: not bundled: fix the problems {'above' if write else 'check found'} first")
                report.exit_code = 1
                continue
            text = bundle_text(folder, helpers_dir)
            if print_:
                console.show(report, text.removesuffix("\n"))   # bundle_text ends every line
                continue
            candidate = out_dir / f".{folder.name}.{os.getpid()}.unverified.py"     # never shared by two runs
            write_atomic(candidate, text)
            candidates.append((folder, text, candidate))

        running: set = set()   # the verifications' pytest processes under way

        def verified(job: tuple[Path, str, Path]) -> tuple[bool, str]:
            folder, _, candidate = job
            console.step(f"bundling {folder.name}: running its tests against the bundle")
            return verify(folder, candidate, pytest_args=pytest_args, running=running)

        pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 and len(candidates) > 1 else None
        try:
            verdicts = pool.map(verified, candidates) if pool else map(verified, candidates)
            for (folder, text, candidate), (ok, verdict) in zip(candidates, verdicts):
                report.exit_code = max(report.exit_code, _concluded(folder, text, candidate, ok, verdict, out_dir,
                                                                    write, console, report))
        finally:
            if pool:   # after a signal or an error, no verification starts, and those under way end
                for process in list(running):
                    process.kill()
                pool.shutdown(cancel_futures=True)
    except ToolkitError as error:
        console.note(f"hs-actions: {error}")
        report.exit_code = error.exit_code
    finally:
        for _, _, candidate in candidates:     # those not verified yet when a signal or an error came
            candidate.unlink(missing_ok=True)
    return report


def _concluded(folder: Path, text: str, candidate: Path, ok: bool, verdict: str, out_dir: Path, write: bool,
               console: Console, report: Report) -> int:
    """Say how the verification of `candidate` went; keep it as out_dir/<name>.py when it passed
    and `write`: the exit code (0 or 1)."""
    final = out_dir / f"{folder.name}.py"
    try:
        if not ok:
            console.note(f"{folder.name}: {verdict}")
            if write:
                console.note(f"{folder.name}: {project.shown(final)} not written")
            return 1
        if not write:
            console.show(report, f"{folder.name}: bundle {verdict}")
            return 0
        os.replace(candidate, final)
    finally:
        candidate.unlink(missing_ok=True)
    header = text[:text.index(HASH_LINE)].splitlines()[1:]       # the first line says where from
    summary = [line[2:] for line in header if line.startswith("# ")]
    console.show(report, f"{folder.name}: wrote {project.shown(final)} ({len(text.encode()):,} bytes, "
                         f"{recorded_hash(final)})",
                 f"{folder.name}: {verdict}", *(f"  {line}" for line in summary))
    return 0


def run_drift(ref: str, file: Path, *, actions_dir: Path | None = None,
              helpers_dir: Path | None = None) -> Report:
    """Compare code copied out of HubSpot (`file`) with the repository's bundle of `ref`:
    exit 0 when HubSpot runs what the repository has, 1 when they differ (and how).
    ToolkitError (exit 2) when the action, the file or its bundle cannot be read."""
    actions_dir = actions_dir or project.current().actions
    helpers_dir = helpers_dir or project.current().helpers
    folder = action_module.load(ref, actions_dir).folder
    if not Path(file).is_file():
        raise ToolkitError(f"{file}: no such file (save the code from HubSpot's editor to a file)")
    current = header_hash(bundle_text(folder, helpers_dir))
    try:
        recorded, actual = recorded_hash(file), bundled_hash(file)
        first_line = Path(file).read_text(encoding="utf-8").partition("\n")[0]
    except (OSError, UnicodeDecodeError) as error:
        raise ToolkitError(f"{file}: cannot read it as UTF-8 text ({error})") from None
    bundled_as = first_line[2:].partition(": paste-ready bundle")[0] if "paste-ready bundle" in first_line else None
    if bundled_as and bundled_as != folder.name:
        raise ToolkitError(f"{file} is a bundle of {bundled_as}, not of {folder.name}: "
                           f"hs-actions drift {bundled_as} {file}")
    name = folder.name
    if actual == current:
        return Report([f"{file}: the same code as the repository's bundle of {name} ({current})"])
    if recorded is not None and actual != recorded:
        said = (f"{file}: edited after it was bundled (its code is {actual}, its header recorded {recorded}): "
                f"bring the change into actions/{name}/action.py, then bundle and paste again")
    elif recorded is not None:
        said = (f"{file}: an older bundle of {name} ({recorded}); the repository's is now {current}: "
                f"bundle and paste again")
    else:
        said = (f"{file}: not a bundle (no hs-actions header), and not the code of the repository's bundle of "
                f"{name} ({actual} vs {current})")
    return Report([said], exit_code=1)


def _folders(refs: list[str], all_: bool, actions_dir: Path) -> list[Path]:
    folders = action_module.chosen(refs, all_, actions_dir)
    if not folders:
        raise ToolkitError("no action to bundle: name one (hs-actions bundle NAME) or use --all"
                           + ("" if refs or not all_ else f"; there are none in {actions_dir}"))
    return folders


def run_test(refs: list[str], *, pytest_args: tuple[str, ...] = (), snapshot_update: bool = False,
             workers: int = 1, console: Console | None = None) -> Report:
    """`hs-actions test`: for the project's actions (every one, or those named), what CI needs
    before a deploy: `check`, each action bundled and its tests passed against the bundle, then
    pytest over the project's tests/ and the actions' tests (only the named actions' when some
    are named). `pytest_args` (--lf, --ff, -x, -k EXPR) go to that last pytest, which keeps its
    cache, so --lf reruns what failed last time. Every step runs, so one report shows every
    problem; the exit code is the worst step's. With `snapshot_update`, pytest runs before the
    bundles, writing the snapshots that changed (--hs-snapshot-update): the bundles are then
    held to the new ones. With `workers` above 1, that many bundles are verified at once, and
    pytest-xdist spreads the last pytest over that many worker processes, each test file on one
    (its module fixtures and the runtime processes of the actions it runs are made once)."""
    from hs_actions.check.commands import run_check

    console = console or Console()
    here = project.current()
    report = Report()
    if workers > 1:
        if importlib.util.find_spec("xdist") is None:
            raise ToolkitError(f"-n {workers}: pytest-xdist is not installed with hs-actions here "
                               f"({sys.executable}): install it (pip install pytest-xdist), or leave out -n")
        pytest_args = (*pytest_args, "-n", str(workers), "--dist", "loadfile")
    checked = run_check(refs, console=console)
    _carry(report, checked, console)
    code = checked.exit_code
    if code == 2:       # an action that cannot even be read: bundling it would say the same again
        return Report(report.lines, exit_code=2, shown=report.shown)
    if snapshot_update:
        tested = _pytest(here, refs, (*pytest_args, "--hs-snapshot-update"), console)
    with tempfile.TemporaryDirectory(prefix="hs-actions-test-") as out:
        bundled = run_bundle(refs, all_=not refs, out_dir=Path(out), console=console, write=False, workers=workers)
    _carry(report, bundled, console)
    if not snapshot_update:
        tested = _pytest(here, refs, pytest_args, console)
    code = max(code, bundled.exit_code, tested)
    # Last, under pytest's own summary: the verdict of every step, as a CI log is read from its end.
    report.lines.append(f"hs-actions test: {'passed' if code == 0 else 'FAILED'} (check "
                        f"{'found errors' if checked.exit_code else 'ok'}, bundles "
                        f"{'not all verified' if bundled.exit_code else 'verified'}, pytest "
                        f"{'passed' if tested == 0 else 'failed' if tested == 1 else 'could not run'})")
    return Report(report.lines, exit_code=code, shown=report.shown)


def _pytest(here, refs: list[str], pytest_args, console: Console) -> int:
    """pytest over the named actions' folders (or tests/ and actions/): the step's exit code."""
    if console.out is not None:
        console.out.flush()     # before pytest writes to the same stdout
    paths = [str(action_module.load(ref).folder) for ref in refs] or [
        str(path) for path in (here.root / "tests", here.actions) if path.is_dir()]
    console.step(f"pytest {' '.join(project.shown(Path(p)) for p in paths)}")
    tested = subprocess.run([sys.executable, "-m", "pytest", "-c", str(here.pyproject), "--rootdir",
                             str(here.root), *pytest_args, *paths],
                            env={**os.environ, project.PROJECT_ENV: str(here.root)})
    if tested.returncode in (0, 5):       # 5: no tests were collected, which check reports already
        return 0
    return 1 if tested.returncode == 1 else 2


def _carry(report: Report, step: Report, console: Console) -> None:
    """A step's lines into the report of the command made of steps; those the step's console
    wrote already count as shown, so none is printed twice."""
    report.lines.extend(step.lines[:step.shown])
    report.shown += step.shown
    console.show(report, *step.lines[step.shown:])
