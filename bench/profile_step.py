"""Profile the step POST and GET in process (pyinstrument), to see where a request's time goes.

    .venv/bin/python bench/profile_step.py [--requests 300] [--html out.html]

Uses a fresh SQLite file (or DATABASE_URL) and the Flask test client; prints the call tree
of N step POSTs then N step GETs, and the SQL statements per request.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pyinstrument import Profiler  # noqa: E402
from sqlalchemy import event  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from readiness import create_app  # noqa: E402
from readiness.extensions import db  # noqa: E402
from tests.conftest import SAMPLE_ANSWERS, Wizard, form_data  # noqa: E402

RESOURCES = ("who", "hours_per_week", "monthly_budget", "training_need", "equipment")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--html")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/profile.sqlite3"
        app = create_app(
            {
                "SECRET_KEY": "profile-secret-key-long-enough-0123456789",
                "TESTING": False,
                "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://"),
                "PUBLIC_URL": "http://127.0.0.1",
                "SESSION_COOKIE_SECURE": False,
                "RATELIMIT_STORAGE_URI": "memory://",
            }
        )
        with app.app_context():
            db.create_all()
        client = app.test_client()
        wizard = Wizard(client, app.extensions["readiness"].questionnaire)
        token = wizard.complete()
        path = f"/d/{token}/resources"
        csrf = wizard.csrf()
        data = MultiDict(
            form_data({k: SAMPLE_ANSWERS[k] for k in RESOURCES})
            + [("nav", "next"), ("csrf_token", csrf)]
        )
        statements = []
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        for method, call in (
            ("POST", lambda: client.post(path, data=data)),
            ("GET", lambda: client.get(path)),
        ):
            statements.clear()
            assert call().status_code in (200, 302)
            print(f"{method}: {len(statements)} SQL statements")
            for s in statements:
                print("   ", " ".join(s.split())[:110])
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(args.requests):
                call()
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            if args.html:
                Path(f"{method}-{args.html}").write_text(profiler.output_html())
        with app.app_context():
            db.drop_all() if os.environ.get("DATABASE_URL") else None


if __name__ == "__main__":
    main()
