import pytest

TOKEN = "local-associate"



@pytest.fixture
def crm(portal):
    portal.add_token(TOKEN, ["crm.objects.companies.read", "crm.objects.companies.write", "crm.objects.contacts.write"])
    portal.seed({"records": {
        "contacts": [{"id": "11", "properties": {"email": "grace@acme.example"}}],
        "companies": [
            {"id": "21", "createdAt": "2024-01-01T00:00:00Z", "properties": {"name": "Acme", "domain": "acme.example"}},
            {"id": "22", "createdAt": "2025-01-01T00:00:00Z", "properties": {"name": "Acme (dup)", "domain": "acme.example"}},
            {"id": "23", "properties": {"name": "Other", "domain": "other.example"}},
        ],
    }})


def associated(portal, contact_id):
    return [r["toObjectId"] for r in portal.backend.associations("contacts", contact_id, "companies")[0]]


def test_associates_the_oldest_matching_company(run_action, portal, crm):
    result = run_action("associate_company_by_domain", object_id=11, secrets={"HUBSPOT_TOKEN": TOKEN})
    assert result.ok, result.problem
    assert result.outputs == {"company_id": "21", "matched": True}
    assert result.event["inputFields"] == {"email": "grace@acme.example"}  # read from the record
    assert associated(portal, 11) == [21]
    assert "2 match(es)" in result.logs
    portal.assert_requested("POST", "/crm/v3/objects/companies/search", status=200)
    portal.assert_requested("PUT", "/crm/v4/objects/contacts/11/associations/default/companies/21", status=200)


def test_the_calls_it_makes_are_those_of_its_snapshot(run_action, crm, hs_snapshot):
    hs_snapshot(run_action("associate_company_by_domain", object_id=11, secrets={"HUBSPOT_TOKEN": TOKEN}))


def test_free_mail_makes_no_call(run_action, portal, crm):
    result = run_action("associate_company_by_domain", inputs={"email": "g@gmail.com"}, secrets={"HUBSPOT_TOKEN": TOKEN})
    assert result.outputs == {"company_id": "", "matched": False}
    assert result.api_calls == []


def test_no_company_with_that_domain(run_action, portal, crm):
    result = run_action("associate_company_by_domain", object_id=11, inputs={"email": "x@nowhere.example"},
                        secrets={"HUBSPOT_TOKEN": TOKEN})
    assert result.outputs == {"company_id": "", "matched": False}
    assert associated(portal, 11) == []


def test_missing_scope(run_action, portal, crm):
    portal.add_token("no-companies", ["crm.objects.contacts.write"])
    result = run_action("associate_company_by_domain", object_id=11, secrets={"HUBSPOT_TOKEN": "no-companies"})
    assert result.status == "error"
    assert result.error.type == "ForbiddenException"
    assert "crm.objects.companies.read" in result.logs


def test_contact_gone_before_association(run_action, portal, crm):
    result = run_action("associate_company_by_domain", object_id=404, inputs={"email": "x@acme.example"},
                        secrets={"HUBSPOT_TOKEN": TOKEN})
    assert result.status == "error"
    assert result.error.type == "NotFoundException"


def test_server_error_makes_hubspot_retry(run_action, portal, crm):
    portal.fail("POST", r"/crm/v3/objects/companies/search", status=429)
    result = run_action("associate_company_by_domain", object_id=11, secrets={"HUBSPOT_TOKEN": TOKEN})
    assert result.status == "retry"
