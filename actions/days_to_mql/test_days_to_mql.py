DAY_MS = 86_400_000
MAY_1_NOON = 1714564800000  # 2024-05-01T12:00:00Z


def test_counts_days_from_epoch_millisecond_strings(run_action):
    result = run_action("days_to_mql", inputs={"createdate": str(MAY_1_NOON), "mql_date": str(MAY_1_NOON + 3 * DAY_MS)})
    assert result.ok, result.problem
    assert result.outputs == {"days_to_mql": 3.0, "mql_day": 1714780800000, "speed": "fast"}
    assert result.logs == "created 2024-05-01, MQL after 3.0 days\n"


def test_accepts_iso_timestamps(run_action):
    result = run_action("days_to_mql", inputs={"createdate": "2024-05-01T12:00:00Z", "mql_date": "2024-05-21T00:00:00Z"})
    assert result.ok, result.problem
    assert result.outputs["days_to_mql"] == 19.5
    assert result.outputs["speed"] == "slow"


def test_not_yet_qualified(run_action):
    result = run_action("days_to_mql", inputs={"createdate": str(MAY_1_NOON), "mql_date": None})
    assert result.ok, result.problem
    assert result.outputs == {"days_to_mql": None, "mql_day": None, "speed": "not_mql"}


def test_mql_before_creation_fails_the_execution(run_action):
    result = run_action("days_to_mql", inputs={"createdate": str(MAY_1_NOON), "mql_date": str(MAY_1_NOON - DAY_MS)})
    assert result.status == "error"
    assert result.error.type == "ValueError"
    assert result.error.message == f"MQL date {MAY_1_NOON - DAY_MS} is before the create date {MAY_1_NOON}"
    assert 'raise ValueError(f"MQL date' in result.error.traceback


def test_garbage_date_fails_with_a_traceback(run_action):
    result = run_action("days_to_mql", inputs={"createdate": "yesterday", "mql_date": str(MAY_1_NOON)})
    assert result.status == "error"
    assert result.error.type == "ValueError"
    assert result.error.message == "'yesterday' is not a date: expected Unix milliseconds (e.g. '1700000000000') or an ISO date ('2024-01-31')"


def test_sample_event(run_action):
    result = run_action("days_to_mql")
    assert result.ok, result.problem
    assert result.outputs["days_to_mql"] == 6.0
