"""Request cost: SQL statements per wizard request, results stored on save, never on a GET."""

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text
from werkzeug.datastructures import MultiDict

from readiness.extensions import db
from readiness.models import Assessment
from tests.conftest import SAMPLE_ANSWERS, Wizard, form_data

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


@pytest.fixture
def wizard(app, client):
    return Wizard(client, app.extensions["readiness"].questionnaire)


@contextmanager
def statements(app):
    """Every SQL statement sent while the block runs."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def listener(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def stored(app, token):
    with app.app_context():
        a = db.session.scalar(db.select(Assessment).where(Assessment.token == token))
        return a.result, a.result_key


def test_step_get_and_post_query_counts(app, wizard, client):
    token = wizard.complete()
    data = MultiDict(
        form_data(wizard.step_answers("resources", SAMPLE_ANSWERS))
        + [("nav", "next"), ("csrf_token", wizard.csrf())]
    )
    with statements(app) as seen:
        assert client.get(f"/d/{token}/resources").status_code == 200
    assert len(seen) == 1, seen  # the diagnostic with its saved steps, in one query
    with app.app_context():
        old = db.session.scalar(text("SELECT updated_at FROM assessments"))
        db.session.remove()
    with statements(app) as seen:
        assert client.post(f"/d/{token}/resources", data=data).status_code == 302
    # The diagnostic with its steps, then the step's upsert; a trigger touches the diagnostic.
    assert len(seen) == 2, seen
    assert [s.split()[0] for s in seen if WRITES.match(s)] == ["INSERT"], seen
    with app.app_context():
        new = db.session.scalar(text("SELECT updated_at FROM assessments"))
        completed = db.session.scalar(
            text("SELECT max(completed_at) FROM assessment_steps WHERE step_id = 'resources'")
        )
        db.session.remove()
    assert new != old and new == completed  # retention counts from the last save


def test_a_cached_pdf_download_reads_the_cache_once(app, wizard, client):
    token = wizard.complete()
    assert client.get(f"/d/{token}/plan.pdf").status_code == 200  # rendered and stored
    with statements(app) as seen:
        response = client.get(f"/d/{token}/plan.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert len([s for s in seen if "pdf_cache" in s]) == 1, seen
    assert not [s for s in seen if WRITES.match(s)], seen


@contextmanager
def round_trips(app, path):
    """What the app's new PostgreSQL connections send to the server, traced by libpq."""
    with app.app_context():
        db.engine.dispose()
        engine = db.engine
    trace = open(path, "w")  # noqa: SIM115 (libpq writes to its descriptor until closed)
    read = 0

    def traced(dbapi_connection, _record):
        dbapi_connection.pgconn.trace(trace.fileno())
        dbapi_connection.pgconn.set_trace_flags(1)  # PQTRACE_SUPPRESS_TIMESTAMPS

    def sent() -> list[str]:
        """The round trips since the last call: each ends with a Sync or a simple Query."""
        nonlocal read
        lines = path.read_text().splitlines()
        fields = [line.split("\t") for line in lines[read:]]
        read = len(lines)
        return [
            f[2] + (" " + f[3].strip() if f[2] == "Query" else "")
            for f in fields
            if f[0] == "F" and f[2] in ("Query", "Sync")
        ]

    event.listen(engine, "connect", traced)
    try:
        yield sent
    finally:
        event.remove(engine, "connect", traced)
        with app.app_context():
            db.engine.dispose()
        trace.close()


def test_postgresql_round_trips_per_step(server_app, tmp_path):
    """GET: the pool's ping and the query, no BEGIN/ROLLBACK; POST: its one transaction."""
    with server_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL round trips")
    client = server_app.test_client()
    wizard = Wizard(client, server_app.extensions["readiness"].questionnaire)
    token = wizard.complete()
    data = MultiDict(
        form_data(wizard.step_answers("resources", SAMPLE_ANSWERS))
        + [("nav", "next"), ("csrf_token", wizard.csrf())]
    )
    with round_trips(server_app, tmp_path / "trace") as sent:
        assert client.get(f"/d/{token}/resources").status_code == 200  # opens the connection
        sent()
        assert client.get(f"/d/{token}/resources").status_code == 200
        get = sent()
        assert client.post(f"/d/{token}/resources", data=data).status_code == 302
        post = sent()
    assert get == ['Query ";"', "Sync"], get  # the pre-ping, the diagnostic with its steps
    assert len(post) == 5, post  # ping, BEGIN, the diagnostic, the step's upsert, COMMIT
    assert post[1].startswith('Query "BEGIN') and post[-1] == 'Query "COMMIT"', post


def test_result_stored_when_last_step_saved(app, wizard):
    token = wizard.complete()
    result, key = stored(app, token)
    assert result is not None and result["verdict"]
    assert key is not None


def test_result_page_and_pdf_key_never_write(app, wizard, client):
    token = wizard.complete()
    with statements(app) as seen:
        assert client.get(f"/d/{token}/resultat").status_code == 200
        assert client.get(f"/d/{token}/recapitulatif").status_code == 200
    assert [s for s in seen if WRITES.match(s)] == []


def test_changed_answer_stores_a_new_result(app, wizard):
    token = wizard.complete()
    _, before = stored(app, token)
    changed = dict(wizard.step_answers("resources", SAMPLE_ANSWERS), hours_per_week=12)
    assert wizard.post_step(token, "resources", changed).status_code == 302
    result, after = stored(app, token)
    assert after != before
    assert result["plan_load"]["declared_hours_per_week"] == 12


def test_same_answers_saved_again_keep_the_result(app, wizard):
    token = wizard.complete()
    _, before = stored(app, token)
    data = wizard.step_answers("resources", SAMPLE_ANSWERS)
    assert wizard.post_step(token, "resources", data).status_code == 302
    assert stored(app, token)[1] == before


def test_sqlite_commits_without_waiting_for_the_disk(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite setting")
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL


def test_steps_read_with_the_diagnostic_are_not_reused_after_a_commit(app, wizard):
    from readiness import assessments
    from readiness.models import AssessmentStep

    token = wizard.complete()
    with app.app_context():
        assessment = assessments.find(token)
        db.session.execute(
            AssessmentStep.__table__.delete().where(AssessmentStep.step_id == "resources")
        )
        db.session.commit()
        assert "resources" not in assessments.saved_steps(assessment)


# --- What the per-request shortcuts must keep ----------------------------------------------

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "browsing-topics=()",
}


def test_security_headers_on_wizard_pages_redirects_and_errors(wizard, client):
    token = wizard.complete()
    data = MultiDict(
        form_data(wizard.step_answers("resources", SAMPLE_ANSWERS))
        + [("nav", "next"), ("csrf_token", wizard.csrf())]
    )
    responses = {
        "step": client.get(f"/d/{token}/resources"),
        "saved": client.post(f"/d/{token}/resources", data=data),
        "unknown": client.get("/d/" + "A" * 32 + "/resources"),
        "no csrf": client.post(f"/d/{token}/resources", data={"nav": "next"}),
    }
    assert [r.status_code for r in responses.values()] == [200, 302, 404, 400]
    for name, response in responses.items():
        for header, value in SECURITY_HEADERS.items():
            assert response.headers.get(header) == value, (name, header)
        assert response.headers["Cache-Control"] == "no-store", name
        assert "Strict-Transport-Security" not in response.headers  # tests are not production


def test_hsts_in_production_on_https_only(monkeypatch):
    from readiness import create_app

    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    app = create_app(
        {
            "SECRET_KEY": "9c1f27be04d3a85e6b70f2c9d41a83e5",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "PUBLIC_URL": "https://diagnostic.example.fr",
        }
    )
    client = app.test_client()
    https = client.get("/", base_url="https://localhost")
    proxied = client.get("/", headers={"X-Forwarded-Proto": "https"})
    plain = client.get("/")
    hsts = "max-age=31556926; includeSubDomains"  # one year, as flask-talisman sent it
    for response in (https, proxied):
        assert response.headers["Strict-Transport-Security"] == hsts
    assert "Strict-Transport-Security" not in plain.headers
    assert plain.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]


def test_the_step_page_token_is_checked_by_csrf_protect(app, wizard, client):
    token = wizard.start()
    html = client.get(f"/d/{token}/profile").get_data(as_text=True)
    own = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html)
    answers = form_data(wizard.step_answers("profile", SAMPLE_ANSWERS)) + [("nav", "next")]
    forged = client.post(
        f"/d/{token}/profile", data=MultiDict(answers + [("csrf_token", own.group(1) + "x")])
    )
    assert forged.status_code == 400 and "Rechargez la page" in forged.get_data(as_text=True)
    saved = client.post(f"/d/{token}/profile", data=MultiDict(answers + [("csrf_token", own[1])]))
    assert saved.status_code == 302


def test_limiter_check_dropped_only_when_no_route_wide_limit(app, database):
    from readiness import create_app
    from readiness.extensions import limiter

    assert limiter._check_request_limit not in app.before_request_funcs[None]
    url, options = database
    try:
        limited = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
                "SQLALCHEMY_DATABASE_URI": url,
                "SQLALCHEMY_ENGINE_OPTIONS": options,
                "RATELIMIT_DEFAULT": "2 per minute",
            }
        )
        assert limiter._check_request_limit in limited.before_request_funcs[None]
        client = limited.test_client()
        assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]
    finally:  # the limiter is shared by every app of the test session: no default limit
        limiter.limit_manager.set_default_limits([])
