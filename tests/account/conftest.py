"""Fixtures of the account tests: a second account beside `account_portal` (tests/conftest.py),
for a project with several accounts, and such a project."""
import pytest

from tests.support import ACCOUNT_TOKEN

PRODUCTION_TOKEN = "pat-local-production-tests"
# A project's two accounts, their API bases to fill in: the sandbox (the default) and production.
ACCOUNTS = """
[tool.hs-actions.accounts.sandbox]
api_base = "{sandbox}"
token_env = "HUBSPOT_SANDBOX_TOKEN"
default = true

[tool.hs-actions.accounts.production]
api_base = "{production}"
token_env = "HUBSPOT_PRODUCTION_TOKEN"
"""


@pytest.fixture(scope="session")
def production_portal_session():
    from hs_actions.portal.portal import Portal

    account = Portal(db=":memory:", portal_id=7654322)
    account.serve()
    yield account
    account.close()


@pytest.fixture
def production_portal(production_portal_session):
    """A second HubSpot account (the team's production portal; `account_portal` plays the
    sandbox): empty but for PRODUCTION_TOKEN, with every scope."""
    from hs_actions.portal.portal import ALL_SCOPES

    production_portal_session.reset()
    production_portal_session.rate_limit("unlimited")
    production_portal_session.add_token(PRODUCTION_TOKEN, ALL_SCOPES, name="production")
    return production_portal_session


@pytest.fixture
def two_accounts(tmp_path, monkeypatch, account_portal, production_portal):
    """A project (tmp_path, the current one) with the accounts sandbox (account_portal, the
    default) and production, each token in its own variable."""
    (tmp_path / "pyproject.toml").write_text("[tool.hs-actions]\n" + ACCOUNTS.format(
        sandbox=account_portal.server.url, production=production_portal.server.url))
    (tmp_path / "actions").mkdir()
    (tmp_path / "shared" / "helpers").mkdir(parents=True)
    monkeypatch.setenv("HS_ACTIONS_PROJECT", str(tmp_path))
    monkeypatch.setenv("HUBSPOT_SANDBOX_TOKEN", ACCOUNT_TOKEN)
    monkeypatch.setenv("HUBSPOT_PRODUCTION_TOKEN", PRODUCTION_TOKEN)
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN")
    monkeypatch.chdir(tmp_path)
    return tmp_path
