"""The PDF of an unchanged diagnostic is rendered once, kept in the database, and replaced."""

import pytest
from sqlalchemy import func, select

from readiness import assessments, pdf, pdf_cache
from readiness.extensions import db
from readiness.models import Assessment
from readiness.pdf_cache import PdfCache


@pytest.fixture
def renders(monkeypatch):
    """Replace WeasyPrint by a counter: each render gives new bytes."""
    calls = []

    def fake_render(report):
        calls.append(report["cache_key"])
        return f"%PDF-fake {len(calls)} {report['cache_key']}".encode()

    monkeypatch.setattr(pdf, "render_plan", fake_render)
    return calls


def report_for(token: str, key: str = "answers-v1", internal: bool = False, **extra) -> dict:
    report = {"token": token, "cache_key": key, "company_name": "Boulangerie Martin"}
    return report | {"internal": internal} | extra


@pytest.fixture
def token(app, questionnaire):
    with app.app_context():
        return assessments.start(questionnaire).token


def rows() -> int:
    return db.session.scalar(select(func.count()).select_from(PdfCache))


def test_same_key_gives_the_same_bytes_without_rendering_again(app, token, renders):
    with app.app_context():
        first = pdf.plan_pdf(report_for(token))
        second = pdf.plan_pdf(report_for(token))
    assert first == second
    assert renders == ["answers-v1"]


def test_a_new_key_renders_again_and_old_pdfs_are_pruned(app, token, renders):
    with app.app_context():
        old = pdf.plan_pdf(report_for(token, "answers-v1"))
        new = pdf.plan_pdf(report_for(token, "answers-v2"))
        assert new != old
        assert pdf.plan_pdf(report_for(token, "answers-v2")) == new
        pdf.plan_pdf(report_for(token, "answers-v3"))
        assert rows() == 1  # the copy's newest only: no unbounded growth
        assert pdf.plan_pdf(report_for(token, "answers-v2")) != new  # pruned: rendered again
    assert renders == ["answers-v1", "answers-v2", "answers-v3", "answers-v2"]


def test_new_client_plans_never_evict_the_consultants_internal_copy(app, token, renders):
    """Client, internal, then two client plans with newer community figures: the internal
    copy is still served, without rendering it again."""
    with app.app_context():
        pdf.plan_pdf(report_for(token, "plan", community_key="a" * 64))
        internal = pdf.plan_pdf(report_for(token, "plan-and-notes", internal=True))
        pdf.plan_pdf(report_for(token, "plan", community_key="b" * 64))
        client = pdf.plan_pdf(report_for(token, "plan", community_key="c" * 64))
        assert rows() == 2  # the newest of each copy
        assert pdf.plan_pdf(report_for(token, "plan-and-notes", internal=True)) == internal
        assert pdf.plan_pdf(report_for(token, "plan", community_key="c" * 64)) == client
        stored = db.session.execute(select(PdfCache.internal, PdfCache.pdf)).all()
    assert sorted(stored) == [(False, client), (True, internal)]
    assert renders == ["plan", "plan-and-notes", "plan", "plan"]


def test_storing_one_copy_prunes_only_that_copys_older_pdfs(app, token):
    with app.app_context():
        assert pdf_cache.store(token, "c1" * 32, b"%PDF client 1")
        assert pdf_cache.store(token, "i1" * 32, b"%PDF internal 1", internal=True)
        assert pdf_cache.store(token, "c2" * 32, b"%PDF client 2")
        assert pdf_cache.store(token, "c3" * 32, b"%PDF client 3")
        assert pdf_cache.load(token, "i1" * 32) == b"%PDF internal 1"
        assert pdf_cache.load(token, "c2" * 32) is None
        assert pdf_cache.store(token, "i2" * 32, b"%PDF internal 2", internal=True)
        assert pdf_cache.load(token, "i1" * 32) is None
        assert pdf_cache.load(token, "c3" * 32) == b"%PDF client 3"
        assert rows() == 2


def test_the_consultant_and_client_copies_live_side_by_side(app, token, renders):
    with app.app_context():
        for _ in range(3):
            pdf.plan_pdf(report_for(token, "with-notes", internal=True))
            pdf.plan_pdf(report_for(token, "without-notes"))
    assert renders == ["with-notes", "without-notes"]


def test_the_template_version_is_part_of_the_key(app, token, renders, monkeypatch):
    with app.app_context():
        pdf.plan_pdf(report_for(token))
        monkeypatch.setattr(pdf, "TEMPLATE_VERSION", pdf.TEMPLATE_VERSION + "-next")
        pdf.plan_pdf(report_for(token))
    assert len(renders) == 2


def test_each_diagnostic_has_its_own_pdf(app, questionnaire, renders):
    with app.app_context():
        one, two = assessments.start(questionnaire).token, assessments.start(questionnaire).token
        assert pdf.plan_pdf(report_for(one)) != pdf.plan_pdf(report_for(two))
        assert rows() == 2


def test_deleting_a_diagnostic_deletes_its_pdf(app, token, renders):
    with app.app_context():
        pdf.plan_pdf(report_for(token))
        db.session.delete(assessments.find(token))
        db.session.commit()
        assert rows() == 0


def test_without_a_stored_diagnostic_nothing_is_cached(app, renders):
    with app.app_context():
        report = report_for("x" * 32)
        pdf.plan_pdf(report)
        pdf.plan_pdf(report)
        assert rows() == 0
        assert pdf_cache.store("x" * 32, "key", b"%PDF") is False
    assert len(renders) == 2


def test_download_is_served_from_the_cache(wizard, client, app, monkeypatch):
    token = wizard.complete()
    calls = []
    real_render = pdf.render_plan
    monkeypatch.setattr(pdf, "render_plan", lambda report: calls.append(1) or real_render(report))
    first = client.get(f"/d/{token}/plan.pdf")
    second = client.get(f"/d/{token}/plan.pdf")
    assert first.status_code == second.status_code == 200
    assert first.headers["Content-Type"] == "application/pdf"
    assert "plan-action-boulangerie-martin-" in first.headers["Content-Disposition"]
    assert first.data == second.data and first.data.startswith(b"%PDF")
    assert len(calls) == 1
    with app.app_context():
        stored = db.session.scalar(
            select(PdfCache.pdf).join(Assessment).where(Assessment.token == token)
        )
    assert stored == first.data


def test_a_render_timeout_gives_a_french_error_page(wizard, client, monkeypatch):
    token = wizard.complete()

    def too_slow(report):
        raise pdf.PdfTimeout

    monkeypatch.setattr(pdf, "render_plan", too_slow)
    response = client.get(f"/d/{token}/plan.pdf")
    assert response.status_code == 503
    assert "trop de temps" in response.get_data(as_text=True)
