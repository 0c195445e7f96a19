"""Consultant pages at scale: seed 10,000 diagnostics across 200 consultants, time the pages.

Usage (PostgreSQL, the default URL is the local test database):
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \
    .venv/bin/python bench/consultant_bench.py
Works in its own schema (bench_consultants), dropped at the end. Target: client list and
client page ≤ 50 ms median.
"""

import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from readiness import create_app  # noqa: E402
from readiness.extensions import db  # noqa: E402
from readiness.models import Assessment, AssessmentStep, Client, Consultant  # noqa: E402
from readiness.passwords import hash_password  # noqa: E402
from readiness.results import result_key  # noqa: E402
from readiness.rules import evaluate  # noqa: E402
from tests.conftest import SAMPLE_ANSWERS  # noqa: E402

CONSULTANTS, CLIENTS_EACH, DIAGNOSTICS_EACH = 200, 25, 2
SCHEMA = "bench_consultants"
PASSWORD = "cheval-agrafe-pile-42"


def variants(rules):
    """A few answer sets with their result, so seeding needs no per-row scoring."""
    out = []
    for hours, who in ((0, "nobody"), (2, "owner"), (5, "employee"), (10, "freelance_agency")):
        answers = dict(SAMPLE_ANSWERS, hours_per_week=hours, who=who)
        out.append((answers, evaluate(rules, answers), result_key(answers, rules.version)))
    return out


def seed(app, questionnaire, rules):
    now = datetime.now(UTC)
    sets = variants(rules)
    step_ids = {s.id: [q.id for q in s.questions] for s in questionnaire.steps}
    password_hash = hash_password(PASSWORD)
    rng = random.Random(7)
    consultants = [
        {
            "email": f"c{n}@bench.fr",
            "name": f"Consultant {n}",
            "firm": "",
            "phone": "",
            "contact_email": "",
            "password_hash": password_hash,
            "active": True,
            "created_at": now,
        }
        for n in range(CONSULTANTS)
    ]
    db.session.execute(insert(Consultant), consultants)
    ids = list(db.session.scalars(select(Consultant.id).order_by(Consultant.id)))
    clients = [
        {
            "consultant_id": cid,
            "name": f"Client {cid}-{k}",
            "contact": "",
            "created_at": now,
            "last_assessment_at": now - timedelta(days=rng.randint(0, 400)),
            "last_verdict": rng.choice(["go", "start_small", "prepare_first", "not_now"]),
        }
        for cid in ids
        for k in range(CLIENTS_EACH)
    ]
    db.session.execute(insert(Client), clients)
    client_ids = list(db.session.scalars(select(Client.id).order_by(Client.id)))
    rows = []
    for client_id in client_ids:
        for d in range(DIAGNOSTICS_EACH):
            answers, result, key = sets[(client_id + d) % len(sets)]
            rows.append(
                {
                    "token": f"{client_id:08d}{d:02d}".ljust(32, "x"),
                    "questionnaire_version": "1",
                    "created_at": now - timedelta(days=200 * (DIAGNOSTICS_EACH - d)),
                    "updated_at": now - timedelta(days=200 * (DIAGNOSTICS_EACH - d)),
                    "result": result,
                    "rules_version": rules.version,
                    "result_key": key,
                    "client_id": client_id,
                }
            )
    db.session.execute(insert(Assessment), rows)
    steps = []
    for assessment_id, token in db.session.execute(select(Assessment.id, Assessment.token)):
        client_id, d = int(token[:8]), int(token[8:10])
        answers = sets[(client_id + d) % len(sets)][0]
        for step_id, qids in step_ids.items():
            steps.append(
                {
                    "assessment_id": assessment_id,
                    "step_id": step_id,
                    "completed_at": now,
                    "answers": {q: answers[q] for q in qids if q in answers},
                }
            )
    db.session.execute(insert(AssessmentStep), steps)
    db.session.commit()
    return len(rows)


def median_ms(client, url, runs=40):
    client.get(url)  # warm-up
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(timings)


def main():
    url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-" + "x" * 40,
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={SCHEMA}"}},
            "WTF_CSRF_ENABLED": False,
        }
    )
    try:
        with app.app_context():
            db.create_all()
            content = app.extensions["readiness"]
            start = time.perf_counter()
            total = seed(app, content.questionnaire, content.rules)
            print(
                f"seeded {total} diagnostics for {CONSULTANTS} consultants "
                f"in {time.perf_counter() - start:.1f} s"
            )
            consultant_id = db.session.scalar(select(Consultant.id).order_by(Consultant.id))
            client_id = db.session.scalar(
                select(Client.id).where(Client.consultant_id == consultant_id)
            )
        client = app.test_client()
        client.post("/connexion", data={"email": "c0@bench.fr", "password": PASSWORD})
        for label, path in (
            ("client list (recent)", "/conseil/clients"),
            ("client list (verdict, page 2)", "/conseil/clients?tri=verdict&page=2"),
            ("client list (search)", "/conseil/clients?q=client"),
            ("client page", f"/conseil/clients/{client_id}"),
        ):
            print(f"{label:32s} median {median_ms(client, path):6.1f} ms (target ≤ 50 ms)")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        admin.dispose()


if __name__ == "__main__":
    main()
