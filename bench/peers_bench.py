"""The community comparison with 10,000 finished diagnostics, on SQLite and on PostgreSQL.

Usage:
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/peers_bench.py
SQLite always runs (a temporary file); PostgreSQL runs when DATABASE_URL points to it, in its
own schema (bench_peers), dropped at the end. Prints the medians of: a completion (store the
scores, recompute its three groups), what a result page adds (published figures + the
community lookup), a consultant's portfolio, and a full rebuild.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from readiness import community, create_app, results  # noqa: E402
from readiness.extensions import db  # noqa: E402
from readiness.models import Assessment, Client, Consultant  # noqa: E402
from tests.conftest import SAMPLE_ANSWERS  # noqa: E402

DIAGNOSTICS, PORTFOLIO_CLIENTS = 10_000, 200
SCHEMA = "bench_peers"


def seed(questionnaire):
    """10,000 finished diagnostics spread over every sector and size; 200 of one consultant."""
    rng = random.Random(13)
    now = datetime.now(UTC)
    db.session.execute(
        insert(Consultant), [{"email": "b@bench.fr", "name": "B", "password_hash": "x"}]
    )
    consultant_id = db.session.scalar(select(Consultant.id))
    db.session.execute(
        insert(Client),
        [{"consultant_id": consultant_id, "name": f"C{n}"} for n in range(PORTFOLIO_CLIENTS)],
    )
    client_ids = list(db.session.scalars(select(Client.id)))
    db.session.execute(
        insert(Assessment),
        [
            {
                "token": f"{n:032d}",
                "questionnaire_version": "1",
                "created_at": now,
                "updated_at": now,
                "client_id": client_ids[n] if n < PORTFOLIO_CLIENTS else None,
            }
            for n in range(DIAGNOSTICS)
        ],
    )
    sectors = questionnaire.questions["sector"].option_values
    sizes = questionnaire.questions["headcount"].option_values
    rows = []
    for assessment_id in db.session.scalars(select(Assessment.id)):
        row = {d: rng.randint(0, 100) for d in community.DIMENSIONS}
        row.update(
            assessment_id=assessment_id,
            sector=rng.choice(sectors),
            headcount=rng.choice(sizes),
            verdict=rng.choice(community.VERDICTS),
            recorded_at=now,
        )
        rows.append(row)
    db.session.execute(insert(community.PeerScore), rows)
    db.session.commit()
    return consultant_id


def median_ms(action, runs):
    action()  # warm-up
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def run(label, url, engine_options):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-" + "x" * 40,
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        q = app.extensions["readiness"].questionnaire
        consultant_id = seed(q)
        start = time.perf_counter()
        community.refresh_all()
        rebuild = (time.perf_counter() - start) * 1000
        answers = q.relevant_answers(SAMPLE_ANSWERS)
        assessment = db.session.get(Assessment, DIAGNOSTICS)
        result = results.evaluate_scenario(answers)
        timings = {
            "completion (store + 3 groups)": median_ms(
                lambda: community.record(assessment, answers, result), 20
            ),
            "result page: peers_for()": median_ms(lambda: results.peers_for(answers), 200),
            "community lookup only": median_ms(
                lambda: community.comparison(
                    "food_retail", "micro", {"sector": "", "headcount": ""}
                ),
                200,
            ),
            f"portfolio ({PORTFOLIO_CLIENTS} clients)": median_ms(
                lambda: community.portfolio(consultant_id), 50
            ),
        }
        found = results.peers_for(answers)["community"]
        print(f"{label}: {DIAGNOSTICS} finished diagnostics; full rebuild {rebuild:.0f} ms")
        print(f"  group shown to the sample answers: {found['group']} (n = {found['n']})")
        for name, value in timings.items():
            print(f"  {name:34s} median {value:7.2f} ms")
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def main():
    with tempfile.TemporaryDirectory() as folder:
        run("SQLite", f"sqlite:///{folder}/bench.sqlite3", {})
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgresql"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))
        try:
            options = {"connect_args": {"options": f"-csearch_path={SCHEMA}"}}
            run("PostgreSQL", url, options)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            admin.dispose()


if __name__ == "__main__":
    main()
