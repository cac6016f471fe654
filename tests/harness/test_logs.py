"""Logs: stdout and stderr in the order written, with duration and memory measured."""


def test_stdout_and_stderr_interleave_in_order(run_action, make_action):
    code = ("import sys, logging\n"
            "def main(event):\n"
            "    print('one')\n    print('two', file=sys.stderr)\n    sys.stdout.write('three')\n"
            "    sys.stderr.write('-four\\n')\n    logging.warning('five')\n"
            "    return {'outputFields': {}}\n")
    result = run_action(make_action(code))
    assert result.logs == "one\ntwo\nthree-four\nWARNING:root:five\n"


def test_logs_of_a_failed_run_are_kept(run_action, make_action):
    result = run_action(make_action("def main(event):\n    print('before')\n    raise KeyError('email')\n"))
    assert result.status == "error"
    assert result.logs == "before\n"
    assert result.error.traceback.endswith("KeyError: 'email'\n")


def test_duration_and_memory_are_measured(run_action, make_action):
    code = "import time\ndef main(event):\n    blob = bytearray(40 * 1024 * 1024)\n    blob[::4096] = b'x' * len(blob[::4096])\n    time.sleep(0.3)\n    return {'outputFields': {}}\n"
    result = run_action(make_action(code))
    assert 300 <= result.duration_ms < 2000
    assert 40 < result.memory_mb < 128


def test_import_side_effects_print_in_the_run_log(make_action):
    # `import this` prints the Zen of Python when imported: libraries imported ahead of a run
    # (spawned or forked) must not swallow such output.
    from hs_actions.harness import Harness

    folder = make_action("import this\ndef main(event):\n    return {'outputFields': {}}\n")
    for mode in ("spawn", "fork"):
        with Harness(mode=mode) as harness:
            logs = [harness.run(folder).logs for _ in range(2)]
        assert all(log.startswith("The Zen of Python, by Tim Peters") for log in logs), mode
