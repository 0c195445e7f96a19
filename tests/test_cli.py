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


def test_plan_pdf_renders_an_answers_file(runner, tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(SAMPLE_ANSWERS), encoding="utf-8")
    output = tmp_path / "plan.pdf"
    result = runner.invoke(args=["plan", "pdf", str(answers), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert output.read_bytes().startswith(b"%PDF")


def test_plan_pdf_renders_a_stored_diagnostic(runner, wizard, tmp_path):
    token = wizard.complete()
    output = tmp_path / "plan.pdf"
    result = runner.invoke(args=["plan", "pdf", "--token", token, "-o", str(output)])
    assert result.exit_code == 0, result.output
    from pypdf import PdfReader

    assert "Boulangerie Martin" in PdfReader(output).pages[0].extract_text()


def test_plan_pdf_needs_exactly_one_source(runner):
    assert runner.invoke(args=["plan", "pdf"]).exit_code == 2
    missing = runner.invoke(args=["plan", "pdf", "--token", "x" * 32])
    assert missing.exit_code == 1 and "Aucun diagnostic terminé" in missing.output


def test_data_purge_deletes_only_old_anonymous_diagnostics(runner, wizard, app):
    from datetime import timedelta

    from readiness.extensions import db
    from readiness.models import Assessment, utcnow

    old, recent = wizard.start(), wizard.start()
    with app.app_context():
        stale = db.session.query(Assessment).filter_by(token=old).one()
        stale.updated_at = utcnow() - timedelta(days=400)
        db.session.commit()
    result = runner.invoke(args=["data", "purge"])
    assert "1 diagnostic(s)" in result.output
    with app.app_context():
        assert [a.token for a in db.session.query(Assessment)] == [recent]
