"""PDF plans rendered off the request path: thread pool without Redis, RQ with it."""

import logging
import threading
import time
import uuid
from concurrent.futures import Future

import pytest
from redis import Redis
from sqlalchemy import text

from readiness import pdf, pdf_jobs, pdf_render
from readiness.extensions import db
from readiness.models import Assessment
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


def assessment_id(token: str) -> int:
    return db.session.scalar(db.select(Assessment.id).where(Assessment.token == token))


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


def test_a_job_queued_for_a_diagnostic_erased_since_renders_nothing(app, wizard):
    from readiness import assessments

    token = wizard.complete()
    with app.app_context():
        number = assessment_id(token)
        assessments.erase(assessments.find(token))
        assert pdf_jobs.render_diagnostic(number) is False
        assert stored_pdfs(app) == []


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
        assert not [job for job in queue.job_ids if token in job]  # RQ logs job ids
        # Nor in what Redis keeps of the job (its arguments): the diagnostic's id instead.
        job = queue.fetch_job(queue.job_ids[0])
        assert token not in repr((job.args, job.kwargs, job.description))
        assert job.args == (assessment_id(token), False)
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


def refuse_pdf_cache_inserts(app):
    """A real database failure: a trigger aborts every insert into pdf_cache."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(
                text(
                    "CREATE OR REPLACE FUNCTION pdf_cache_full() RETURNS trigger "
                    "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
                )
            )
            db.session.execute(
                text(
                    "CREATE TRIGGER pdf_cache_full BEFORE INSERT ON pdf_cache "
                    "FOR EACH ROW EXECUTE FUNCTION pdf_cache_full()"
                )
            )
        else:
            db.session.execute(
                text(
                    "CREATE TRIGGER pdf_cache_full BEFORE INSERT ON pdf_cache "
                    "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
                )
            )
        db.session.commit()


def assert_pdf(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_a_plan_the_database_refuses_to_store_is_served_anyway(
    app, wizard, client, caplog, monkeypatch
):
    token = wizard.complete()
    refuse_pdf_cache_inserts(app)
    with caplog.at_level(logging.WARNING):
        response = client.get(f"/d/{token}/plan.pdf")  # waits for the render's own bytes
    assert_pdf(response)
    assert stored_pdfs(app) == []  # the trigger did refuse it
    assert "PDF rendered but not cached" in caplog.text
    assert token not in caplog.text
    no_render_here(monkeypatch)  # the next download gets the copy kept in this process
    assert client.get(f"/d/{token}/plan.pdf").data == response.data


def test_a_refused_plan_is_not_in_preparation_forever(app, wizard, client):
    app.config["PDF_WAIT_SECONDS"] = 0  # the download does not wait for the render
    token = wizard.complete()
    refuse_pdf_cache_inserts(app)
    assert client.get(f"/d/{token}/plan.pdf").status_code == 202
    pdf_jobs.drain()
    assert_pdf(client.get(f"/d/{token}/plan.pdf"))  # the page's refresh gets it
    assert stored_pdfs(app) == []


def test_a_refused_plan_of_older_answers_is_never_served_for_newer_ones(app, wizard, client):
    app.config["PDF_WAIT_SECONDS"] = 0
    token = wizard.complete()
    refuse_pdf_cache_inserts(app)
    assert client.get(f"/d/{token}/plan.pdf").status_code == 202
    pdf_jobs.drain()
    old = client.get(f"/d/{token}/plan.pdf").data
    changed = dict(wizard.step_answers("resources", SAMPLE_ANSWERS), hours_per_week=12)
    assert wizard.post_step(token, "resources", changed).status_code == 302
    assert client.get(f"/d/{token}/plan.pdf").status_code == 202  # not the old plan
    pdf_jobs.drain()
    new = client.get(f"/d/{token}/plan.pdf")
    assert_pdf(new)
    assert new.data != old


def test_with_redis_a_plan_the_database_refuses_is_kept_briefly_in_redis(
    app, wizard, client, redis_queue, caplog, monkeypatch
):
    app.config["PDF_WAIT_SECONDS"] = 0
    token = wizard.complete()
    refuse_pdf_cache_inserts(app)
    assert client.get(f"/d/{token}/plan.pdf").status_code == 202  # queued for the worker
    with caplog.at_level(logging.WARNING), app.app_context():
        pdf_jobs.worker(app, burst=True)  # a real RQ worker: renders, cannot store
    assert stored_pdfs(app) == []
    assert "PDF rendered but not cached" in caplog.text
    assert token not in caplog.text
    connection = Redis.from_url(REDIS_URL)
    kept = [k for k in connection.scan_iter("pdf-unstored:*") if connection.ttl(k) > 0]
    try:
        assert kept and all(token.encode() not in k for k in kept)
        assert all(0 < connection.ttl(k) <= pdf_jobs.UNSTORED_SECONDS for k in kept)
        pdf_jobs._unstored.clear()  # not this process's copy: the one in Redis
        no_render_here(monkeypatch)
        assert_pdf(client.get(f"/d/{token}/plan.pdf"))
    finally:
        connection.delete(*kept) if kept else None
        connection.close()


def test_a_plan_queued_behind_another_render_is_not_waited_for(app, wizard, client):
    """Thread pool: with the only render thread busy, a second plan answers 202 at once."""
    app.config.update(PDF_THREADS=1, PDF_WAIT_SECONDS=30)
    first = wizard.complete()
    second = wizard.complete()
    release = threading.Event()
    with app.app_context():
        pool = pdf_jobs._pool()
        assert pool._max_workers == 1
        held = pool.submit(release.wait, 60)  # the render thread, held until released
        pdf_jobs.schedule(first)  # the first plan: next in line, behind the held thread
    try:
        started = time.monotonic()
        response = client.get(f"/d/{second}/plan.pdf")  # behind the first: no 30 s wait
        elapsed = time.monotonic() - started
        assert response.status_code == 202
        assert "Votre plan est en préparation" in response.get_data(as_text=True)
        assert elapsed < 10  # a wait would take PDF_WAIT_SECONDS (30 s)
        assert not held.done()  # the render thread was busy all along
    finally:
        release.set()
    pdf_jobs.drain()
    assert_pdf(client.get(f"/d/{second}/plan.pdf"))
    assert_pdf(client.get(f"/d/{first}/plan.pdf"))


def test_a_render_already_over_when_queued_does_not_hang_the_queue(app, monkeypatch):
    """A render can end before its done-callback is added (nothing to render, say): the
    callback then runs at once, in the thread that queued it and holds the queue's lock."""
    over = Future()
    over.set_result(None)

    class Instant:
        def submit(self, *args):
            return over

    monkeypatch.setattr(pdf_jobs, "_pool", Instant)

    def queue():
        with app.app_context():
            pdf_jobs.schedule("t" * 32)

    thread = threading.Thread(target=queue, daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), "schedule() hangs on its own lock"
    assert "t" * 32 not in str(pdf_jobs._pending)


def test_with_redis_a_failed_render_says_so_then_a_new_download_renders_again(
    app, wizard, client, redis_queue
):
    app.config.update(PDF_PRERENDER=True, PDF_WAIT_SECONDS=0)
    token = wizard.complete()
    app.config["PDF_RENDER_TIMEOUT"] = 0.001  # the worker's render fails
    with app.app_context():
        pdf_jobs.worker(app, burst=True)
    app.config["PDF_RENDER_TIMEOUT"] = 20
    response = client.get(f"/d/{token}/plan.pdf")
    # Not « en préparation » (nothing is being prepared), not a 500: a French 503.
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "n’a pas abouti" in response.get_data(as_text=True)
    again = client.get(f"/d/{token}/plan.pdf")  # asking again queues a new render
    assert again.status_code == 202
    with app.app_context():
        assert pdf_jobs._queue(app).count == 1
        pdf_jobs.worker(app, burst=True)
    assert_pdf(client.get(f"/d/{token}/plan.pdf"))


def test_with_redis_a_failed_render_does_not_hold_back_the_plan_of_changed_answers(
    app, wizard, client, redis_queue
):
    app.config.update(PDF_PRERENDER=True, PDF_WAIT_SECONDS=0, PDF_RENDER_TIMEOUT=0.001)
    token = wizard.complete()
    with app.app_context():
        pdf_jobs.worker(app, burst=True)  # fails
    app.config["PDF_RENDER_TIMEOUT"] = 20
    changed = dict(wizard.step_answers("resources", SAMPLE_ANSWERS), hours_per_week=12)
    assert wizard.post_step(token, "resources", changed).status_code == 302
    with app.app_context():
        assert pdf_jobs._queue(app).count == 1  # queued again on save
        pdf_jobs.worker(app, burst=True)
    assert len(stored_pdfs(app)) == 1
    assert_pdf(client.get(f"/d/{token}/plan.pdf"))


def crash_renders(monkeypatch, message="WeasyPrint crashed"):
    """From now on WeasyPrint fails in the forked render child (fonts already warmed up)."""

    def crash(*args, **kwargs):
        raise RuntimeError(message)

    monkeypatch.setattr(pdf_render, "write_pdf", crash)


def test_a_render_that_fails_is_a_french_503_not_a_500(app, wizard, client, monkeypatch, caplog):
    warm = wizard.complete()
    assert_pdf(client.get(f"/d/{warm}/plan.pdf"))  # the fonts are loaded in this process
    token = wizard.complete()
    crash_renders(monkeypatch, "« Boulangerie Martin » quoted\nRuntimeError: WeasyPrint crashed")
    response = client.get(f"/d/{token}/plan.pdf")
    assert response.status_code == 503
    assert "n’a pas abouti" in response.get_data(as_text=True)
    assert "WeasyPrint crashed" in caplog.text and "Boulangerie" not in caplog.text


def test_a_plan_that_cannot_even_be_prepared_is_a_503_not_a_500(app, wizard, client, monkeypatch):
    token = wizard.complete()

    def broken(report, tight=False):
        raise KeyError("template")

    monkeypatch.setattr(pdf, "plan_html", broken)  # runs in the web worker's render thread
    response = client.get(f"/d/{token}/plan.pdf")
    assert response.status_code == 503
    assert "n’a pas abouti" in response.get_data(as_text=True)


def test_a_simulated_plan_that_fails_is_a_503_and_simulations_are_rate_limited(
    app, wizard, client, monkeypatch
):
    token = wizard.complete()
    assert_pdf(client.get(f"/d/{token}/plan.pdf"))
    simulated = f"/d/{token}/plan.pdf?monthly_budget=0&who=nobody&response_time=days"
    crash_renders(monkeypatch)
    response = client.get(f"{simulated}&hours_per_week=0")
    assert response.status_code == 503 and "n’a pas abouti" in response.get_data(as_text=True)
    monkeypatch.undo()
    app.config["PDF_RATE_LIMIT"] = "2 per minute"
    codes = [client.get(f"{simulated}&hours_per_week={h}").status_code for h in (0, 1, 3)]
    assert codes[-1] == 429 and 429 not in codes[:1]


def test_with_redis_a_failed_job_keeps_the_last_line_of_the_error_only(
    app, wizard, client, redis_queue, monkeypatch
):
    app.config.update(PDF_PRERENDER=True)
    wizard.complete()  # its render is queued
    crash_renders(monkeypatch, "« Boulangerie Martin » quoted\nRuntimeError: WeasyPrint crashed")
    with app.app_context():
        queue = pdf_jobs._queue(app)
        [job_id] = queue.job_ids
        pdf_jobs.worker(app, burst=True)
        failure = queue.fetch_job(job_id).latest_result().exc_string
    assert "RenderFailed" in failure and "WeasyPrint crashed" in failure
    assert "Boulangerie" not in failure


def test_new_community_figures_whose_render_fails_still_serve_the_stored_plan(
    app, wizard, client, monkeypatch
):
    app.config.update(PDF_PRERENDER=True, PDF_WAIT_SECONDS=0)
    with app.app_context():
        for score in range(10, 20):
            add_finished(SAMPLE_ANSWERS["sector"], SAMPLE_ANSWERS["headcount"], score)
    token = wizard.complete()
    pdf_jobs.drain()
    [first] = stored_pdfs(app)
    with app.app_context():
        add_finished(SAMPLE_ANSWERS["sector"], SAMPLE_ANSWERS["headcount"], 90)
    app.config["PDF_RENDER_TIMEOUT"] = 0.001  # the refresh with the new figures fails
    assert client.get(f"/d/{token}/plan.pdf").data == first
    pdf_jobs.drain()
    assert client.get(f"/d/{token}/plan.pdf").data == first  # still served, not a 503


def test_a_background_render_that_failed_says_so_once_then_renders_again(app, wizard, client):
    """Thread pool: the plan prepared on the last save fails while nobody waits for it."""
    app.config.update(PDF_PRERENDER=True, PDF_WAIT_SECONDS=0, PDF_RENDER_TIMEOUT=0.001)
    token = wizard.complete()
    pdf_jobs.drain()  # the render queued on save has failed
    app.config["PDF_RENDER_TIMEOUT"] = 20
    response = client.get(f"/d/{token}/plan.pdf")
    assert response.status_code == 503  # not « en préparation » again and again
    assert "n’a pas abouti" in response.get_data(as_text=True)
    assert client.get(f"/d/{token}/plan.pdf").status_code == 202  # asked again: rendering
    pdf_jobs.drain()
    assert_pdf(client.get(f"/d/{token}/plan.pdf"))


def test_a_failure_the_waiting_download_reported_is_not_reported_twice(app, wizard, client):
    app.config.update(PDF_WAIT_SECONDS=30, PDF_RENDER_TIMEOUT=0.001)
    token = wizard.complete()
    assert client.get(f"/d/{token}/plan.pdf").status_code == 503  # it waited, saw it fail
    pdf_jobs.drain()
    app.config.update(PDF_RENDER_TIMEOUT=20)
    assert_pdf(client.get(f"/d/{token}/plan.pdf"))  # the next download renders


def test_a_plan_erased_while_it_renders_is_not_kept_anywhere(
    app, wizard, client, monkeypatch, caplog
):
    from readiness import assessments

    app.config.update(PDF_WAIT_SECONDS=30)
    token = wizard.complete()
    render = pdf.render_plan

    def render_then_erase(report):
        document = render(report)
        with app.app_context():  # the owner erases the diagnostic meanwhile
            assessments.erase(assessments.find(token))
        return document

    monkeypatch.setattr(pdf, "render_plan", render_then_erase)
    with caplog.at_level(logging.WARNING):
        client.get(f"/d/{token}/plan.pdf")
        pdf_jobs.drain()
    assert "kept" not in caplog.text  # neither in this process nor in Redis
    assert stored_pdfs(app) == []
