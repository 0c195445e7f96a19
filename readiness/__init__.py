"""Prêt pour les réseaux sociaux ? — the application factory."""

import os
import sqlite3
from typing import NamedTuple

from flask import Flask, request
from flask_talisman import Talisman
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from readiness import config, throttle
from readiness.content import Questionnaire, ReportTexts, load_questionnaire, load_report_texts
from readiness.extensions import csrf, db, limiter, login_manager, migrate
from readiness.peers import load_peers
from readiness.rules import Rules, load_rules

# Responses that hold nothing private; every other one is sent with Cache-Control: no-store.
PUBLIC_CACHEABLE = {"static", "api.get_questionnaire"}
SQLITE_BUSY_TIMEOUT_MS = 10_000  # past this wait, a locked database gives a French 503
MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


class Content(NamedTuple):
    """The validated content files the app runs on."""

    questionnaire: Questionnaire
    rules: Rules
    texts: ReportTexts


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings, content, extensions, blueprints, error pages."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(config.settings(app.instance_path))
    app.config.update(test_config or {})
    config.check(app.config, app.instance_path)
    app.extensions["readiness"] = load_content()
    register_proxies(app)
    app.extensions["peers"] = load_peers(app.extensions["readiness"].questionnaire)
    register_extensions(app)
    register_privacy(app)
    register_blueprints(app)
    throttle.drop_idle_check(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def load_content() -> Content:
    """Read and cross-check every content file; a broken one stops start-up."""
    questionnaire = load_questionnaire()
    return Content(questionnaire, load_rules(questionnaire), load_report_texts())


def register_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, use the client address and scheme they pass on."""
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_extensions(app: Flask) -> None:
    from readiness.sessions import SignedCookieSessions

    app.session_interface = SignedCookieSessions()
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    csrf.init_app(app)
    login_manager.init_app(app)
    # Not signed in, or a session that has ended: readiness/sessions.py says why and redirects.
    login_manager.login_view = "auth.login"
    limiter.init_app(app)
    app.config["WTF_I18N_ENABLED"] = False  # WTForms' own French messages, no Babel
    production = not (app.debug or app.testing)
    secure = production and app.config.get("SESSION_COOKIE_SECURE", True)
    app.config["SESSION_COOKIE_SECURE"] = secure
    if secure:  # a __Host- cookie is HTTPS-only, for this host only, on every path
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
        app.config["SESSION_COOKIE_DOMAIN"] = None
        app.config["SESSION_COOKIE_PATH"] = "/"
    elif production:
        app.logger.warning("SESSION_COOKIE_SECURE=0: the session cookie also travels over HTTP")
    if production and app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        app.logger.warning(
            "RATELIMIT_STORAGE_URI=memory://: rate limits are per worker; run one worker "
            "(gunicorn -w 1) or set REDIS_URL"
        )
    Talisman(
        app,
        force_https=False,  # TLS is the reverse proxy's job; a laptop runs plain HTTP
        strict_transport_security=production,
        session_cookie_secure=secure,
        content_security_policy={
            "default-src": "'self'",
            "img-src": "'self' data:",  # the consultant's logo preview is a data: URI
            "frame-ancestors": "'none'",
            "object-src": "'none'",
            "base-uri": "'none'",
            "form-action": "'self'",
        },
        referrer_policy="same-origin",
        frame_options="DENY",
    )


def register_privacy(app: Flask) -> None:
    """No private page is kept by a browser or proxy cache; no token reaches the logs."""
    from readiness import log_filters

    @app.after_request
    def no_store(response):
        if request.endpoint not in PUBLIC_CACHEABLE:
            response.headers["Cache-Control"] = "no-store"
        return response

    log_filters.install(app)


def register_blueprints(app: Flask) -> None:
    from readiness import account, api, auth, consultant, owner, report, wizard

    app.register_blueprint(wizard.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(consultant.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(report.bp)
    app.register_blueprint(owner.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)


def register_error_handlers(app: Flask) -> None:
    from readiness import errors

    errors.register(app)


def register_commands(app: Flask) -> None:
    from readiness import cli

    cli.register(app)


def register_template_helpers(app: Flask) -> None:
    from readiness import formatting, forms, links, mail

    formatting.register(app)
    app.add_template_global(forms.question_html, "question_html")
    app.add_template_global(links.private_link, "private_link")
    app.add_template_global(mail.is_configured, "mail_configured")
    app.add_template_global(app.extensions["readiness"].rules.verdict_labels, "verdict_labels")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL and a busy timeout let several workers save at once on one SQLite file.

    synchronous=NORMAL: in WAL mode a commit no longer waits for the disk (fsync at
    checkpoints only). A committed answer survives a crash of the application; the last
    transactions may be lost if the machine itself loses power or the OS crashes.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()
