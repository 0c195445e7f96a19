"""Settings from the environment."""

import secrets

import pytest

from readiness import create_app
from readiness.config import ConfigError, database_url, settings


@pytest.fixture
def production_env(monkeypatch):
    """Everything production needs, so each test removes or spoils one setting."""
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("PUBLIC_URL", "https://diagnostic.example.fr")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.delenv("REDIS_URL", raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    "key", [None, "dev", "short-key", "a" * 36, "ab" * 20, "0123456701234567" * 3]
)
def test_production_refuses_a_missing_or_weak_secret_key(production_env, key):
    monkeypatch = production_env
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize(
    "key", ["9c1f27be04d3a85e6b70f2c9d41a83e5", "kT3v_Qe8ZrLw0pN2sYc-Hj5mUx9AdBf7GiOq1RlE"]
)
def test_production_starts_with_a_strong_key(production_env, key):
    production_env.setenv("SECRET_KEY", key)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert (
        "max-age"
        in app.test_client()
        .get("/", base_url="https://localhost")
        .headers["Strict-Transport-Security"]
    )


def test_database_url_defaults_to_sqlite_under_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url(str(tmp_path)) == f"sqlite:///{tmp_path / 'readiness.sqlite3'}"


def test_postgres_urls_use_psycopg3(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert database_url("/x") == "postgresql+psycopg://u@h/db"


def test_connections_pinged_on_checkout_for_a_database_server_only(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    sqlite = settings(str(tmp_path))["SQLALCHEMY_ENGINE_OPTIONS"]
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    postgres = settings(str(tmp_path))["SQLALCHEMY_ENGINE_OPTIONS"]
    assert sqlite == {"pool_pre_ping": False, "hide_parameters": True}
    assert postgres == {"pool_pre_ping": True, "hide_parameters": True}


def test_production_needs_a_shared_rate_limit_storage(production_env):
    production_env.delenv("RATELIMIT_STORAGE_URI")
    with pytest.raises(ConfigError, match="REDIS_URL"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    production_env.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_debug_keeps_the_zero_install_quick_start(production_env):
    production_env.delenv("RATELIMIT_STORAGE_URI")
    production_env.delenv("PUBLIC_URL")
    production_env.delenv("SECRET_KEY")
    app = create_app({"DEBUG": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert app.config["PUBLIC_URL"] == "http://127.0.0.1:5000"


@pytest.mark.parametrize("url", ["", "diagnostic.example.fr"])
def test_production_needs_a_public_url(production_env, url):
    production_env.setenv("PUBLIC_URL", url)
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_session_cookie_has_the_host_prefix(production_env):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    response = app.test_client().get("/", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie


def test_pdf_render_timeout_comes_from_the_environment(production_env):
    production_env.setenv("PDF_RENDER_TIMEOUT", "7.5")
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["PDF_RENDER_TIMEOUT"] == 7.5
