"""The Console commands speak through while they run: lines shown on stdout and steps said on
stderr never splice into one another in a log both go to (CI's), even when stdout's buffer
fills in the middle of a line, or steps come from other threads."""
import io
import threading

from hs_actions.core.report import Console, Report


def streams_into(path):
    """stdout as a pipe or a file has it (a block buffer, here a small one) and stderr
    (written through), both into the one file at `path`, as `> log 2>&1` does."""
    out = io.TextIOWrapper(io.BufferedWriter(io.FileIO(path, "a"), buffer_size=16), encoding="utf-8")
    err = io.TextIOWrapper(io.FileIO(path, "a"), encoding="utf-8", write_through=True)
    return out, err


def test_a_step_never_lands_in_the_middle_of_a_line_shown(tmp_path):
    log = tmp_path / "log"
    out, err = streams_into(log)
    console, report = Console(out=out, err=err, progress=err), Report()
    console.show(report, "first: verified: 3 passed in 0.52s against the bundle")   # stdout's buffer filled mid-line
    console.step("bundling second: running its tests against the bundle")
    console.note("second: not bundled")
    out.flush()
    assert log.read_text().splitlines() == ["first: verified: 3 passed in 0.52s against the bundle",
                                            "bundling second: running its tests against the bundle",
                                            "second: not bundled"]


def test_steps_from_threads_and_lines_shown_stay_whole(tmp_path):
    log = tmp_path / "log"
    out, err = streams_into(log)
    console, report = Console(out=out, err=err, progress=err), Report()
    shown = [f"action{n}: verified: {n} passed against the bundle" for n in range(200)]
    said = [f"bundling action{n}: running its tests against the bundle" for n in range(200)]
    threads = [threading.Thread(target=lambda: [console.step(line) for line in said])]
    threads[0].start()
    for line in shown:
        console.show(report, line)
    threads[0].join()
    out.flush()
    assert sorted(log.read_text().splitlines()) == sorted(shown + said)
