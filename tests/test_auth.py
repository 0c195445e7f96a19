"""Consultant sign-in: success, failure, rate limit, session renewal, CLI accounts."""

import logging
import uuid

from tests.conftest import PASSWORD


def test_login_success_opens_the_client_list(consultants, client):
    consultants.create()
    response = consultants.login()
    assert response.status_code == 302
    assert response.location.endswith("/conseil/clients")
    assert "Mes clients" in client.get("/conseil/clients").get_data(as_text=True)


def test_login_failure_is_french_and_logged(consultants, caplog):
    consultants.create()
    with caplog.at_level(logging.WARNING):
        response = consultants.login(password="mauvais-mot-de-passe")
    assert response.status_code == 422
    assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)
    assert "login failed for account 1 from" in caplog.text
    assert "claire@conseil.fr" not in caplog.text


def test_a_failed_login_never_logs_what_was_typed_as_the_e_mail(consultants, app, caplog):
    """A password typed in the e-mail field must not reach the logs: a keyed hash only."""
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "1 per minute"
    consultants.create()
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            consultants.login(email="Cheval-Agrafe-99", password="faux-mot-de-passe")
        consultants.login(email="autre@exemple.fr", password="faux-mot-de-passe")
    assert "cheval-agrafe-99" not in caplog.text.lower()
    assert "autre@exemple.fr" not in caplog.text
    lines = [r.getMessage() for r in caplog.records]
    failed = [line for line in lines if "login failed" in line]
    throttled = [line for line in lines if "login throttled: account" in line]
    assert failed and throttled
    tags = {m.split("account ")[1].split(" ")[0] for m in failed + throttled}
    assert len(tags) == 2 and all(t.startswith("typed#") and len(t) == 16 for t in tags)
    # Nor the rate limiter's keys (kept a day; in Redis in production).
    from readiness.extensions import limiter

    with app.app_context():
        storage = limiter.storage
        keys = " ".join([*storage.storage, *storage.events]).lower()  # MemoryStorage in tests
    assert "login_account_rate_limit" in keys
    assert "cheval-agrafe-99" not in keys and "autre@exemple.fr" not in keys


def test_deactivated_account_cannot_sign_in(consultants):
    consultants.create(active=False)
    assert consultants.login().status_code == 422


def test_login_is_rate_limited(consultants, app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    consultants.create()
    codes = [consultants.login(password="faux-mot-de-passe").status_code for _ in range(4)]
    assert codes == [422, 422, 422, 429]
    assert consultants.login().status_code == 429  # even the right password waits


def test_session_is_renewed_at_login(consultants, client):
    consultants.create()
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    consultants.login()
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"]


def test_session_cookie_flags(consultants, client):
    consultants.create()
    response = consultants.login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_is_a_post(consultants, client):
    consultants.create()
    consultants.login()
    assert client.get("/deconnexion").status_code == 405
    client.post("/deconnexion", data={"csrf_token": consultants.csrf()})
    assert client.get("/conseil/clients").status_code == 302


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/conseil/clients")
    assert response.status_code == 302 and "/connexion" in response.location


def test_cli_creates_an_account_with_a_password_asked_twice(runner, consultants):
    result = runner.invoke(
        args=["consultant", "create", "Paul@Cci.fr", "--name", "Paul Martin"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert consultants.login(email="paul@cci.fr").status_code == 302


def test_cli_refuses_weak_or_mismatched_passwords(runner):
    weak = runner.invoke(
        args=["consultant", "create", "a@b.fr", "--name", "A"], input="motdepasse123\n" * 2
    )
    assert weak.exit_code == 1 and "trop courant" in weak.output
    short = runner.invoke(
        args=["consultant", "create", "a@b.fr", "--name", "A"], input="court\ncourt\n"
    )
    assert short.exit_code == 1 and "au moins 12 caractères" in short.output


def test_cli_reset_password_and_deactivate(runner, consultants):
    consultants.create()
    new = "tulipe-verte-savon-1987"
    result = runner.invoke(
        args=["consultant", "reset-password", "claire@conseil.fr"], input=f"{new}\n{new}\n"
    )
    assert result.exit_code == 0
    assert consultants.login(password=new).status_code == 302
    assert runner.invoke(args=["consultant", "deactivate", "claire@conseil.fr"]).exit_code == 0
    assert consultants.login(password=new).status_code == 422


def test_passwords_are_stored_as_argon2_hashes(consultants, app):
    from readiness.extensions import db
    from readiness.models import Consultant

    consultants.create()
    with app.app_context():
        stored = db.session.query(Consultant).one().password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_rate_limit_can_live_in_redis(database, tmp_path):
    """Several app servers share one counter when the limiter stores it in Redis."""
    import pytest
    import redis

    server = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    from readiness import create_app
    from readiness.extensions import db
    from tests.conftest import Consultants

    prefix = f"test-{uuid.uuid4().hex}"
    url, options = database
    config = {
        "TESTING": True,
        "SECRET_KEY": "k" * 40,
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": options,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        # Our own keys: parallel test runs share this Redis; nothing global is flushed.
        "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": prefix},
        "LOGIN_RATE_LIMIT": "2 per minute",
    }
    first, second = create_app(config), create_app(config)
    with first.app_context():
        db.drop_all()
        db.create_all()
    try:
        one = Consultants(first, first.test_client())
        two = Consultants(second, second.test_client())
        assert one.login(password="x" * 12).status_code == 422
        assert two.login(password="x" * 12).status_code == 422
        assert one.login(password="x" * 12).status_code == 429
        assert server.keys(f"{prefix}*")  # the counter lives in Redis, not in memory
    finally:
        for key in server.scan_iter(f"{prefix}*"):
            server.delete(key)
        with first.app_context():
            db.drop_all()
            db.engine.dispose()
        with second.app_context():
            db.engine.dispose()
