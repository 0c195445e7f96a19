"""Shared fixtures: an app per database, a client, and a wizard helper."""

import os
import re
import socket
import uuid
from contextlib import contextmanager
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from sqlalchemy import create_engine, text
from werkzeug.datastructures import MultiDict

from readiness import create_app
from readiness.extensions import db

SAMPLE_ANSWERS = {
    "company_name": "Boulangerie Martin",
    "sector": "food_retail",
    "headcount": "micro",
    "customers": "b2c",
    "local_share": 70,
    "website": "outdated",
    "email_list": "small",
    "premises": "shop",
    "regulated": ["none"],
    "goals": ["loyalty", "awareness"],
    "customers_online": "many",
    "competitors_present": "some",
    "expect_direct_sales": "somewhat",
    "results_horizon": "months",
    "knows_customer_origin": "roughly",
    "trigger": ["customers_asked"],
    "promise_clarity": "roughly",
    "promise_kept": "mostly",
    "response_time": "same_day",
    "complaint_process": "informal",
    "content_sources": ["photos", "products", "behind_scenes"],
    "digital_comfort": "medium",
    "website_tracking": "no",
    "criticism_handling": "answer_publicly",
    "communication_style": "mix",
    "transparency": "yes",
    "customer_voice": "yes",
    "time_horizon": "two_three_years",
    "owner_involvement": "yes",
    "who": "owner",
    "hours_per_week": 3,
    "monthly_budget": 50,
    "training_need": "some",
    "equipment": ["smartphone", "computer"],
    "current_channels": ["facebook", "google_business"],
    "audience_age": ["25_44", "45_64"],
    "visual_offer": "yes",
    "video_capacity": "no",
    "paid_ads_tried": "no",
}


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


DATABASES = ["sqlite"] + (["postgresql"] if _postgres_url() else [])


@pytest.fixture(scope="session")
def postgres_schema():
    """A schema of our own, so parallel runs on one PostgreSQL database never collide."""
    url = _postgres_url()
    if url is None:
        yield None
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield schema
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(params=DATABASES)
def database(request, tmp_path, postgres_schema):
    """(SQLAlchemy URL, engine options) for each database the tests run on."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}", {}
    url = _postgres_url().replace("postgresql://", "postgresql+psycopg://", 1)
    return url, {"connect_args": {"options": f"-csearch_path={postgres_schema}"}}


def app_config(database: tuple[str, dict], **overrides) -> dict:
    """The test app's settings on ``database`` (from the ``database`` fixture)."""
    url, engine_options = database
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "SERVER_NAME": "localhost",
        # No plan rendered in the background after each completed diagnostic (CPU);
        # a download still renders off the request path and waits for it.
        "PDF_PRERENDER": False,
        "PDF_WAIT_SECONDS": 120,
    } | overrides


def fresh_app(config: dict):
    """An app on empty tables for one test; the tables are dropped afterwards."""
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def app(database, tmp_path):
    yield from fresh_app(app_config(database))


@pytest.fixture
def server_app(database):
    """The test app with the engine options production gets (a pre-ping on PostgreSQL)."""
    from readiness.config import engine_options

    url, options = database
    production = engine_options(url) | options
    yield from fresh_app(app_config(database, SQLALCHEMY_ENGINE_OPTIONS=production))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def form_data(answers: dict) -> list[tuple[str, str]]:
    """Answers as browser form fields: several-of questions as repeated fields."""
    pairs = []
    for key, value in answers.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, str(item)))
    return pairs


class Wizard:
    """Drives the wizard through the test client, as a browser would."""

    def __init__(self, client, questionnaire):
        self.client = client
        self.questionnaire = questionnaire

    def csrf(self) -> str:
        html = self.client.get("/").get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def start(self) -> str:
        response = self.client.post("/commencer", data={"csrf_token": self.csrf()})
        assert response.status_code == 302
        return response.location.split("/")[-2]

    def step_answers(self, step_id: str, answers: dict) -> dict:
        ids = {q.id for q in self.questionnaire.step(step_id).questions}
        return {k: v for k, v in answers.items() if k in ids}

    def post_step(self, token, step_id, answers, nav="next", csrf=True):
        data = form_data(answers) + [("nav", nav)]
        if csrf:
            data.append(("csrf_token", self.csrf()))
        return self.client.post(f"/d/{token}/{step_id}", data=MultiDict(data))

    def complete(self, answers: dict | None = None) -> str:
        """Start a diagnostic and answer every step; returns the token."""
        answers = answers or SAMPLE_ANSWERS
        token = self.start()
        for step_id in self.questionnaire.step_ids:
            response = self.post_step(token, step_id, self.step_answers(step_id, answers))
            assert response.status_code == 302, response.get_data(as_text=True)
        return token


PASSWORD = "cheval-agrafe-pile-42"


class Consultants:
    """Creates consultant accounts and signs them in, like flaskr's ``auth`` helper."""

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def create(self, email="claire@conseil.fr", name="Claire Durand", **extra):
        from readiness.models import Consultant
        from readiness.passwords import hash_password

        with self.app.app_context():
            account = Consultant(
                email=email, name=name, password_hash=hash_password(PASSWORD), **extra
            )
            db.session.add(account)
            db.session.commit()
            return account.id

    def login(self, email="claire@conseil.fr", password=PASSWORD, client=None):
        client = client or self.client
        html = client.get("/connexion").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        return client.post(
            "/connexion", data={"email": email, "password": password, "csrf_token": token}
        )

    def csrf(self, client=None) -> str:
        html = (client or self.client).get("/").get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def new_client(self, name="Boulangerie Martin", client=None) -> int:
        client = client or self.client
        html = client.get("/conseil/clients/nouveau").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        response = client.post("/conseil/clients/nouveau", data={"name": name, "csrf_token": token})
        return int(response.location.rstrip("/").split("/")[-1])

    def new_diagnostic(self, client_id: int, mode="reunion", client=None) -> str:
        """Start a diagnostic for a client; returns its token."""
        client = client or self.client
        client.post(
            f"/conseil/clients/{client_id}/diagnostics",
            data={"mode": mode, "csrf_token": self.csrf(client)},
        )
        with self.app.app_context():
            from sqlalchemy import select

            from readiness.models import Assessment

            return db.session.scalars(
                select(Assessment.token)
                .where(Assessment.client_id == client_id)
                .order_by(Assessment.id.desc())
            ).first()


@pytest.fixture
def consultants(app, client):
    return Consultants(app, client)


@pytest.fixture
def questionnaire(app):
    return app.extensions["readiness"].questionnaire


@pytest.fixture
def wizard(client, questionnaire):
    return Wizard(client, questionnaire)


class Inbox:
    """A real local SMTP server (aiosmtpd) that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def local_smtp(app, **options):
    """A real SMTP server on a free local port, the app's MAIL_* settings pointed at it."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=False)
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(app):
    """Points the app's MAIL_* settings at a local SMTP server; yields its inbox."""
    with local_smtp(app) as inbox:
        yield inbox


@pytest.fixture
def ascii_smtp_server(app):
    """A local SMTP server without SMTPUTF8, like many: an address with accents cannot go."""
    with local_smtp(app, enable_SMTPUTF8=False) as inbox:
        yield inbox
