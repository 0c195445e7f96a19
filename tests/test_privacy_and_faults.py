"""Private responses uncached, CSP, exports, tokens out of logs (§5); PDF renders and a
busy database under abuse and faults (§6)."""

import csv
import io
import logging
import re
import socket
import sqlite3

import pytest
from sqlalchemy import create_engine, func, select, text

import readiness
from readiness import assessments, create_app, log_filters, pdf, pdf_jobs
from readiness.extensions import db, limiter
from readiness.pdf_cache import PdfCache
from tests.conftest import SAMPLE_ANSWERS, Consultants, Wizard, app_config

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused


@pytest.fixture
def claire(consultants):
    consultants.create()
    consultants.login()
    return consultants


def test_every_private_response_is_no_store(app, claire, client):
    client_id = claire.new_client()
    token = claire.new_diagnostic(client_id)
    from tests.test_consultant import walk

    walk(app, client, token)
    private = [
        f"/d/{token}/profile",
        f"/d/{token}/recapitulatif",
        f"/d/{token}/resultat",
        f"/d/{token}/plan.pdf",
        f"/api/v1/assessments/{token}",
        "/conseil/clients",
        f"/conseil/clients/{client_id}",
        "/conseil/export.csv",
        f"/conseil/clients/{client_id}/export.json",
        "/conseil/profil",
    ]
    for url in private:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    static = client.get("/static/style.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_csp_closes_objects_base_and_foreign_form_targets(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "form-action 'self'"):
        assert directive in policy


def test_every_text_cell_of_the_csv_export_is_neutralised(app, claire, client):
    client_id = claire.new_client('=HYPERLINK("http://evil.example","x")')
    token = claire.new_diagnostic(client_id)
    from tests.test_consultant import walk

    walk(app, client, token, dict(SAMPLE_ANSWERS, company_name="@SUM(A1:A9)"))
    body = client.get("/conseil/export.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0]["client"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[0]["company_name"] == "'@SUM(A1:A9)"
    assert rows[0]["local_share"] == "70"  # numbers stay numbers
    for row in rows:
        assert not any(str(v)[:1] in "=+-@\t\r" for v in row.values())


def test_app_logs_never_carry_a_token(app, wizard, caplog):
    @app.get("/d/<token>/_boom")
    def boom(token):
        raise RuntimeError("boom")

    token = wizard.start()

    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.INFO):
        assert wizard.client.get(f"/d/{token}/_boom").status_code == 500
        logging.getLogger("werkzeug").info('127.0.0.1 "GET /d/%s/profile HTTP/1.1" 200 -', token)
    assert "/d/…/_boom" in caplog.text and "/d/…/profile" in caplog.text
    assert token not in caplog.text


def test_gunicorn_access_log_masks_tokens():
    from gunicorn.config import Config

    token = "A" * 32
    logger = log_filters.GunicornLogger(Config())

    class Response:
        status = "200 OK"
        sent = 10
        headers = ()

    class Request:
        headers = ()

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/d/{token}/resultat?x=1",
        "PATH_INFO": f"/d/{token}/resultat",
        "QUERY_STRING": "x=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://diag.example/d/{token}/profile",
        "REMOTE_ADDR": "203.0.113.1",
    }
    import datetime

    atoms = logger.atoms(Response(), Request(), environ, datetime.timedelta(seconds=1))
    assert atoms["r"] == "GET /d/…/resultat?x=1 HTTP/1.1"
    assert token not in " ".join(str(v) for v in atoms.values())


def test_pdf_render_holds_no_connection_and_is_kept_when_caching_fails(
    app, wizard, client, monkeypatch
):
    app.config["PDF_PRERENDER"] = False
    token = wizard.complete()
    real = pdf.html_to_pdf
    seen = {}

    def spy(*args, **kwargs):
        seen["checked_out"] = db.engine.pool.checkedout()
        # Break the cache table from another connection: with a transaction left open
        # on PostgreSQL, this DROP would wait for its lock forever.
        other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], **_engine_options(app))
        with other.begin() as conn:
            conn.execute(text("DROP TABLE pdf_cache"))
        other.dispose()
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "html_to_pdf", spy)
    from readiness import assessments, results

    with app.app_context():  # what the background render job does
        assessment = assessments.find(token)
        report = results.build_report(assessment, results.completed_answers(assessment))
        document = pdf.plan_pdf(report)
    assert document.startswith(b"%PDF")
    assert seen["checked_out"] == 0


def _engine_options(app):
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.pop("pool_pre_ping", None)
    return options


def test_uncached_pdf_renders_are_limited_per_address(app, wizard, client):
    app.config["PDF_RATE_LIMIT"] = "1 per minute"
    token = wizard.complete()
    assert client.get(f"/d/{token}/plan.pdf").status_code == 200
    assert client.get(f"/d/{token}/plan.pdf").status_code == 200  # cached: not counted
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PdfCache)) == 1
        db.session.execute(PdfCache.__table__.delete())
        db.session.commit()
    response = client.get(f"/d/{token}/plan.pdf")
    assert response.status_code == 429
    assert "beaucoup de PDF" in response.get_data(as_text=True)


def test_a_render_timeout_is_a_503_with_retry_after(app, wizard, client):
    app.config["PDF_RENDER_TIMEOUT"] = 0.01
    token = wizard.complete()
    response = client.get(f"/d/{token}/plan.pdf")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "Réessayez dans un instant" in response.get_data(as_text=True)


def test_postgresql_connections_closed_by_the_server_are_no_error(server_app, database):
    """A server restart (or a proxy's idle timeout) closes the pooled connections: the next
    step shown and the next step saved use a new one, and the answer is stored."""
    url, options = database
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL connections")
    client = server_app.test_client()
    wizard = Wizard(client, server_app.extensions["readiness"].questionnaire)
    token = wizard.complete()
    answers = dict(wizard.step_answers("resources", SAMPLE_ANSWERS), hours_per_week=7)
    killer = create_engine(url, isolation_level="AUTOCOMMIT", **options)
    try:
        for request in (
            lambda: client.get(f"/d/{token}/resources"),
            lambda: wizard.post_step(token, "resources", answers),
        ):
            with server_app.app_context():
                pid = db.session.scalar(text("SELECT pg_backend_pid()"))
            with killer.connect() as conn:
                assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            assert request().status_code in (200, 302)
    finally:
        killer.dispose()
    with server_app.app_context():
        assert assessments.saved_steps(assessments.find(token))["resources"]["hours_per_week"] == 7


def test_sqlite_busy_past_its_timeout_is_a_french_503(app, wizard, monkeypatch, database):
    url, _ = database
    if not url.startswith("sqlite"):
        pytest.skip("SQLite locking")
    token = wizard.start()
    monkeypatch.setattr(readiness, "SQLITE_BUSY_TIMEOUT_MS", 50)
    with app.app_context():
        db.engine.dispose()  # new connections take the short timeout
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 50
        db.session.remove()
    holder = sqlite3.connect(url.removeprefix("sqlite:///"))
    holder.execute("BEGIN EXCLUSIVE")
    try:
        data = wizard.step_answers("profile", SAMPLE_ANSWERS)
        response = wizard.post_step(token, "profile", data)
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "réessayez dans un instant" in body and "Erreur du serveur" not in body
    assert response.headers["Retry-After"].isdigit()


@pytest.fixture
def app_with_redis_down(database):
    """REDIS_URL (queue and rate-limit counters) set, and Redis not running."""
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", 1))
    app = create_app(
        app_config(
            database,
            REDIS_URL=DEAD_REDIS,
            RATELIMIT_STORAGE_URI=DEAD_REDIS,
            PDF_PRERENDER=True,  # the last step queues the plan: no queue to reach
        )
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    pdf_jobs.drain()
    limiter._storage_dead = False  # the limiter is shared by the apps of the next tests
    pdf_jobs._redis_down_until.pop(DEAD_REDIS, None)
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_redis_down_is_no_error_anywhere_a_user_goes(app_with_redis_down, caplog):
    """Start, steps, result, PDF, resume, sign-in: no 5xx, and the PDF arrives."""
    app = app_with_redis_down
    client = app.test_client()
    wizard = Wizard(client, app.extensions["readiness"].questionnaire)
    with caplog.at_level(logging.WARNING):
        assert client.get("/").status_code == 200
        token = wizard.complete()  # POST /commencer (rate-limited) and the six steps
        assert client.get(f"/d/{token}/resultat").status_code == 200
        response = client.get(f"/d/{token}/plan.pdf")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.data.startswith(b"%PDF")
        resumed = client.post("/reprendre", data={"lien": token, "csrf_token": wizard.csrf()})
        assert resumed.status_code == 302  # a Flask-Limiter route: in-memory counters
        consultants = Consultants(app, client)
        consultants.create()
        assert consultants.login(password="pas-le-bon-mot-de-passe").status_code == 422
        assert consultants.login().status_code == 302
        pdf_jobs.drain()
    assert "Redis unreachable (ConnectionError): PDF rendered in this web worker" in caplog.text
    assert "rate-limit storage unavailable: ConnectionError" in caplog.text
    assert token not in caplog.text
    assert not re.search(r"Traceback", caplog.text)
