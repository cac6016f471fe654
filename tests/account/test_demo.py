"""`hs-actions account demo`: a local portal playing a HubSpot account, which pull, deploy and
status work against as against a real one, with the two lines the README's account section
starts with."""
import os
import re
import signal
import subprocess
import sys

import pytest

from hs_actions.core import project

HS = [sys.executable, "-m", "hs_actions.cli"]


@pytest.fixture
def demo():
    """The demo account, started as a user starts it; its printed exports, as a dict."""
    server = subprocess.Popen([*HS, "account", "demo"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    exports = {}
    try:
        for _ in range(4):
            line = server.stdout.readline()
            found = re.fullmatch(r"export (\w+)=(\S+)\n", line)
            if found:
                exports[found[1]] = found[2]
        assert set(exports) == {"HS_ACTIONS_API_BASE", "HUBSPOT_ACCESS_TOKEN"}, server.stderr.read()
        yield exports
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        assert server.wait(timeout=30) == 0      # SIGTERM ends it cleanly


def test_pull_status_and_deploy_work_against_the_demo_account(demo, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.hs-actions]\n")
    env = {**{k: v for k, v in os.environ.items() if k != project.PROJECT_ENV}, **demo}

    def hs(*args):
        return subprocess.run([*HS, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

    pulled = hs("pull", "--all")
    assert pulled.returncode == 0, pulled.stderr
    assert sorted(p.name for p in (tmp_path / "actions").iterdir()) == ["deal_size_1", "lead_routing_1"]
    assert "runtime NODE20X" in pulled.stdout + pulled.stderr           # the Node action is named, skipped
    status = hs("status")
    assert status.stdout.count("in sync") == 2, status.stdout + status.stderr
    code = tmp_path / "actions" / "deal_size_1" / "action.py"
    code.write_text(code.read_text().replace(">= 10000", ">= 5000"))
    (tmp_path / "actions" / "deal_size_1" / "test_deal_size_1.py").write_text(
        "def test_a_large_deal(run_action):\n"
        "    assert run_action('deal_size_1', inputs={'amount': '6000'}).outputs == {'band': 'large'}\n")
    deployed = hs("deploy", "deal_size_1")
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert "in sync" in hs("status").stdout.split("deal_size_1")[1].splitlines()[0]


def test_the_readme_account_section_starts_with_it():
    readme = (project.current().root / "README.md").read_text()
    section = readme[readme.index("### 7. Connect to your account"):]
    assert section.index("hs-actions account demo") < section.index("hs-actions pull")


def test_a_port_in_use_is_named_as_portal_serve_names_it():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([*HS, "account", "demo", "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"port {port} is in use: choose another --port (or 0 for a free one)" in done.stderr
