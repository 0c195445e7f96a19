"""Flask CLI commands."""

import json

from tests.conftest import SAMPLE_ANSWERS


def test_plan_score_prints_the_result_json(runner, tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(SAMPLE_ANSWERS), encoding="utf-8")
    result = runner.invoke(args=["plan", "score", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["verdict"] in {"go", "start_small", "prepare_first", "not_now"}


def test_plan_score_reports_invalid_answers_in_french(runner, tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(dict(SAMPLE_ANSWERS, hours_per_week=99)), encoding="utf-8")
    result = runner.invoke(args=["plan", "score", str(path)])
    assert result.exit_code == 1
    assert "hours_per_week : Saisissez un nombre entre 0 et 40." in result.output
