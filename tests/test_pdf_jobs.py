"""PDF plans rendered off the request path: thread pool without Redis, RQ with it."""

import uuid

import pytest
from redis import Redis

from readiness import pdf, pdf_jobs
from readiness.extensions import db
from readiness.pdf_cache import PdfCache
from tests.conftest import SAMPLE_ANSWERS, Wizard
from tests.test_peers import add_finished

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def wizard(app, client):
    return Wizard(client, app.extensions["readiness"].questionnaire)


def stored_pdfs(app) -> list[bytes]:
    with app.app_context():
        return list(db.session.scalars(db.select(PdfCache.pdf)))


def no_render_here(monkeypatch):
    """From now on a render in this process fails: what is served must come from the cache."""

    def refuse(report):
        raise AssertionError("rendered on the request path")

    monkeypatch.setattr(pdf, "render_plan", refuse)


def test_last_step_saved_renders_the_plan_in_the_background(app, wizard, client, monkeypatch):
    app.config["PDF_PRERENDER"] = True
    token = wizard.complete()
    pdf_jobs.drain()
    [document] = stored_pdfs(app)
    assert document.startswith(b"%PDF")
    no_render_here(monkeypatch)
    response = client.get(f"/d/{token}/plan.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.data == document


def test_changed_answers_render_a_new_plan(app, wizard, client):
    app.config["PDF_PRERENDER"] = True
    token = wizard.complete()
    pdf_jobs.drain()
    before = stored_pdfs(app)
    changed = dict(wizard.step_answers("resources", SAMPLE_ANSWERS), hours_per_week=12)
    assert wizard.post_step(token, "resources", changed).status_code == 302
    pdf_jobs.drain()
    after = stored_pdfs(app)
    # The new plan replaces the old one: one client's copy per diagnostic (pdf_cache).
    assert len(after) == 1 and after != before
    assert client.get(f"/d/{token}/plan.pdf").data == after[0]


def test_cold_miss_says_in_preparation_then_serves_the_plan(app, wizard, client):
    app.config["PDF_WAIT_SECONDS"] = 0
    token = wizard.complete()
    response = client.get(f"/d/{token}/plan.pdf")
    assert response.status_code == 202
    html = response.get_data(as_text=True)
    assert "Votre plan est en préparation" in html
    assert '<meta http-equiv="refresh" content="3">' in html
    assert response.headers["Retry-After"] == "3"
    pdf_jobs.drain()
    response = client.get(f"/d/{token}/plan.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")


def test_unfinished_diagnostic_has_nothing_to_render(app, wizard):
    token = wizard.start()
    with app.app_context():
        assert pdf_jobs.render(token) is False


@pytest.fixture
def redis_queue(app):
    """A queue of our own on the real Redis; its keys are removed afterwards."""
    name = f"pdf-test-{uuid.uuid4().hex[:12]}"
    app.config.update(REDIS_URL=REDIS_URL, PDF_QUEUE=name)
    yield name
    connection = Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"rq:*{name}*"):
        connection.delete(key)
    connection.close()


def test_with_redis_a_worker_renders_the_queued_plan(app, wizard, client, redis_queue, monkeypatch):
    app.config.update(PDF_PRERENDER=True, PDF_WAIT_SECONDS=0)
    token = wizard.complete()
    with app.app_context():
        queue = pdf_jobs._queue(app)
        assert queue.count == 1  # queued on save, not rendered by the web request
    assert stored_pdfs(app) == []
    pending = client.get(f"/d/{token}/plan.pdf")
    assert pending.status_code == 202
    with app.app_context():
        assert queue.count == 1  # the download did not queue the same plan twice
        pdf_jobs.worker(app, burst=True)  # a real RQ worker, in this process, until empty
        assert queue.count == 0
    [document] = stored_pdfs(app)
    no_render_here(monkeypatch)
    response = client.get(f"/d/{token}/plan.pdf")
    assert response.status_code == 200
    assert response.data == document


def test_pdf_worker_command_needs_redis(app):
    app.config["REDIS_URL"] = ""
    result = app.test_cli_runner().invoke(args=["pdf", "worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL" in result.output


def test_newer_community_figures_serve_the_stored_plan_while_a_fresh_one_renders(
    app, wizard, client, monkeypatch
):
    app.config.update(PDF_PRERENDER=True, PDF_WAIT_SECONDS=0)
    with app.app_context():
        for score in range(10, 20):  # a group big enough to be shown
            add_finished(SAMPLE_ANSWERS["sector"], SAMPLE_ANSWERS["headcount"], score)
    token = wizard.complete()
    pdf_jobs.drain()
    [first] = stored_pdfs(app)
    with app.app_context():  # another business of the same group: the figures move
        add_finished(SAMPLE_ANSWERS["sector"], SAMPLE_ANSWERS["headcount"], 90)
    response = client.get(f"/d/{token}/plan.pdf")
    assert response.status_code == 200
    assert response.data == first  # at once, without waiting for a render
    pdf_jobs.drain()  # the fresh plan, with the new figures, was queued by that download
    after = stored_pdfs(app)
    # The plan with the new figures replaced the old one (the newest of each copy is kept).
    assert len(after) == 1 and first not in after
    assert client.get(f"/d/{token}/plan.pdf").data == after[0]


def test_a_plan_queued_behind_others_is_not_waited_for(app, wizard, client, redis_queue):
    app.config.update(PDF_PRERENDER=True, PDF_WAIT_SECONDS=600)
    wizard.complete()
    second = wizard.complete()
    response = client.get(f"/d/{second}/plan.pdf")  # second in the queue: no 600 s wait
    assert response.status_code == 202
    assert "Votre plan est en préparation" in response.get_data(as_text=True)
    with app.app_context():
        pdf_jobs.worker(app, burst=True)
    assert client.get(f"/d/{second}/plan.pdf").status_code == 200


def test_refreshing_the_preparation_page_is_not_another_render(app, wizard, client, redis_queue):
    app.config.update(PDF_RATE_LIMIT="1 per minute", PDF_WAIT_SECONDS=0)
    token = wizard.complete()
    for _ in range(4):  # the page refreshes itself every few seconds
        assert client.get(f"/d/{token}/plan.pdf").status_code == 202
    with app.app_context():
        pdf_jobs.worker(app, burst=True)
    assert client.get(f"/d/{token}/plan.pdf").status_code == 200
