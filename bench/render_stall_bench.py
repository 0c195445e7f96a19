"""Does a burst of cold PDF renders stall the home page? (issue 11: « 4.1 s »)

The README's production setup without Redis: gunicorn (2 workers × 4 threads by default),
SQLite, plans rendered by each web worker's thread pool (WeasyPrint in a forked child).
Six completed diagnostics are created through the app (test client, no pre-render: their
plans are cold), then six visitors download their plan.pdf at the same moment, following
« en préparation » until the PDF arrives, while another visitor loads GET / every 100 ms.
Prints the home page's p50 / p95 / max while idle and during the renders, the time until
the last PDF, and the load average.

    .venv/bin/python bench/render_stall_bench.py [--plans 6] [--workers 2] [--threads 4]

Port 8103 on 127.0.0.1. On a shared machine, compare idle and renders within one run.
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_client import Browser  # noqa: E402
from step_bench import gunicorn, migrate, server_env, wait_ready  # noqa: E402

PORT = 8103
IDLE_REQUESTS = 60
PAUSE = 0.1  # seconds between two home pages: a visitor every 100 ms, not a flood


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plans", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stall-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'app.sqlite3'}"
        env = server_env(url, url, Path(tmp))
        env["PUBLIC_URL"] = f"http://127.0.0.1:{PORT}"
        migrate(env)
        tokens = completed_diagnostics(url, args.plans)
        server = gunicorn("app:app", PORT, args.workers, env, ROOT, threads=args.threads)
        try:
            wait_ready(PORT, "/")
            for _ in range(10):  # warm-up: each worker's first requests load templates
                home_page()
            load_before = os.getloadavg()
            idle = [home_page(PAUSE) for _ in range(IDLE_REQUESTS)]
            busy, received, elapsed = during_renders(tokens)
            load_after = os.getloadavg()
        finally:
            server.terminate()
            server.wait(timeout=30)
    report(args, idle, busy, received, elapsed, load_before, load_after)


def completed_diagnostics(url: str, count: int) -> list[str]:
    """Diagnostics answered through the app (test client): results stored, no PDF yet."""
    from readiness import create_app
    from tests.conftest import SAMPLE_ANSWERS, Wizard

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": url,
            "SERVER_NAME": f"127.0.0.1:{PORT}",
            "PDF_PRERENDER": False,  # cold plans: the downloads start every render
            "START_RATE_LIMIT": "1000 per minute",
        }
    )
    wizard = Wizard(app.test_client(), app.extensions["readiness"].questionnaire)
    names = ("Boulangerie", "Garage", "Fleuriste", "Librairie", "Plomberie", "Café")
    tokens = []
    for n in range(count):
        company = f"{names[n % len(names)]} n° {n + 1}"
        tokens.append(wizard.complete(dict(SAMPLE_ANSWERS, company_name=company)))
    with app.app_context():
        from readiness.extensions import db

        db.engine.dispose()
    return tokens


def home_page(pause: float = 0) -> float:
    """Seconds for GET / on a new connection (as a new visitor), after ``pause``."""
    time.sleep(pause)
    browser = Browser(f"http://127.0.0.1:{PORT}")
    started = time.perf_counter()
    response = browser.get("/")
    took = time.perf_counter() - started
    if response.status != 200:
        raise SystemExit(f"GET / a répondu {response.status}")
    browser.conn.close()
    return took


def download(token: str, received: dict, started: float) -> None:
    """A visitor who downloads the plan, following « en préparation » until the PDF."""
    browser = Browser(f"http://127.0.0.1:{PORT}", timeout=120)
    while True:
        response = browser.get(f"/d/{token}/plan.pdf")
        if response.status == 200 and response.body.startswith(b"%PDF"):
            received[token] = time.monotonic() - started
            return
        if response.status != 202:
            raise SystemExit(f"plan.pdf a répondu {response.status}")
        time.sleep(0.5)  # the page refreshes itself; a browser would wait Retry-After (3 s)


def during_renders(tokens: list[str]) -> tuple[list[float], dict, float]:
    received: dict[str, float] = {}
    started = time.monotonic()
    visitors = [
        threading.Thread(target=download, args=(token, received, started)) for token in tokens
    ]
    for visitor in visitors:
        visitor.start()
    busy = []
    while any(visitor.is_alive() for visitor in visitors):
        busy.append(home_page(PAUSE))
    for visitor in visitors:
        visitor.join()
    if len(received) != len(tokens):
        raise SystemExit("des PDF ne sont pas arrivés")
    return busy, received, time.monotonic() - started


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"p50 {statistics.median(ordered) * 1000:6.0f} ms   p95 {p95 * 1000:6.0f} ms   "
        f"max {ordered[-1] * 1000:6.0f} ms   ({len(ordered)} requêtes)"
    )


def report(args, idle, busy, received, elapsed, load_before, load_after) -> None:
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cœurs")
    print(
        f"gunicorn {args.workers} workers × {args.threads} fils, SQLite, sans Redis, "
        f"{args.plans} plans à froid en parallèle"
    )
    print(f"GET / au repos        : {summary(idle)}")
    print(f"GET / pendant rendus  : {summary(busy)}")
    last = max(received.values())
    print(f"PDF reçus : premier {min(received.values()):.1f} s, dernier {last:.1f} s")
    print(
        "charge moyenne (1, 5, 15 min) : avant "
        + ", ".join(f"{x:.2f}" for x in load_before)
        + " ; après "
        + ", ".join(f"{x:.2f}" for x in load_after)
    )


if __name__ == "__main__":
    main()
