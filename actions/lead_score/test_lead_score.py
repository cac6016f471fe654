def test_senior_enterprise_lead_is_hot(run_action):
    result = run_action("lead_score")  # events/default.json
    assert result.ok, result.problem
    assert result.outputs == {"score": 88, "tier": "hot", "reasons": "senior title; enterprise; company email"}
    assert "score 88 (senior title, enterprise, company email) -> hot" in result.logs


def test_free_mail_student_is_cold(run_action):
    result = run_action("lead_score", event_file="cold")
    assert result.ok, result.problem
    assert result.outputs == {"score": 2, "tier": "cold", "reasons": ""}


def test_mid_market_is_warm(run_action):
    result = run_action("lead_score", inputs={"jobtitle": "Engineer", "numemployees": "100-500", "email": "x@acme.io", "num_visits": "0"})
    assert result.ok, result.problem
    assert (result.outputs["score"], result.outputs["tier"]) == (35, "warm")


def test_missing_properties_score_zero(run_action):
    result = run_action("lead_score", event={"inputFields": {}})
    assert result.ok, result.problem
    assert result.outputs["tier"] == "cold"
    assert any("input field 'jobtitle' (property 'jobtitle') has no value" in w for w in result.warnings)


def test_unknown_employee_range_fails(run_action):
    result = run_action("lead_score", inputs={"numemployees": "lots"})
    assert result.status == "error"
    assert result.error.type == "ValueError"
    assert result.error.message == "invalid literal for int() with base 10: 'lots'"
