TOKEN = "local-log-enrollment-note"
SCOPES = ["crm.objects.contacts.write"]


def seed_contact(portal):
    portal.add_token(TOKEN, SCOPES)
    portal.seed({"records": {"contacts": [{"id": "21", "properties": {"email": "grace@example.com"}}]}})
    return 21


def test_logs_a_note_and_marks_the_contact(run_action, portal):
    contact = seed_contact(portal)
    result = run_action("log_enrollment_note", object_id=contact, secrets={"HUBSPOT_TOKEN": TOKEN})
    assert result.ok, result.problem
    note = portal.record("notes", result.outputs["note_id"])["properties"]
    assert note["hs_note_body"] == "Enrolled in the onboarding workflow."
    assert portal.record("contacts", contact)["properties"]["hs_lead_status"] == "IN_PROGRESS"
    assert [(c["method"], c["path"], c["status"]) for c in result.api_calls] == [
        ("POST", "/crm/v3/objects/notes", 201), ("PATCH", "/crm/v3/objects/contacts/21", 200)]


def test_a_retry_after_the_update_is_rate_limited_logs_a_second_note(run_action, portal):
    # The example's known flaw, kept on purpose: what `run_action.retry_check` reports.
    contact = seed_contact(portal)
    check = run_action.retry_check("log_enrollment_note", contact, secrets={"HUBSPOT_TOKEN": TOKEN})
    assert not check.retry_safe
    first, second = check.records[0].trials
    assert first.safe and first.statuses == ["retry", "success"]   # 429 on the create: nothing written yet
    assert not second.safe and second.statuses == ["retry", "success"]
    assert second.failed_call == "PATCH /crm/v3/objects/contacts/21"
    assert second.repeated_writes == ["POST /crm/v3/objects/notes"]
    assert [d["kind"] for d in second.differences] == ["duplicated", "duplicated"]
    assert "2 notes created where a clean run creates 1" in check.explain()
    assert portal.backend.counts().get("notes") is None   # the portal is left as it was
