"""Load test (Locust, headless): N owners walk every step, read the result, download the PDF.

Serves the app with gunicorn (2 workers by default) on a fresh database, optionally with
Redis and one render worker (``--redis``), runs N Locust users on 127.0.0.1 — each one owner
who answers the six steps, opens the summary and the result, and downloads the plan
(following « en préparation » pages) — then prints p50/p95/p99 per route and the errors, and
checks in the database that every acknowledged answer (a step POST answered 302) is stored.

    .venv/bin/python bench/load_test.py [--owners 40] [--think 2] [--redis]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \
        .venv/bin/python bench/load_test.py --redis

Targets with 40 owners on 2 workers: step POST p95 ≤ 300 ms, PDF download p95 ≤ 2 s,
0 errors, 100 % of acknowledged answers found. Bounded: at most --max-seconds (300).
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from html.parser import HTMLParser  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from locust import HttpUser, between, task  # noqa: E402
from locust.env import Environment  # noqa: E402
from locust.exception import StopUser  # noqa: E402
from requests.adapters import HTTPAdapter  # noqa: E402
from urllib3.util.retry import Retry  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_client import SAMPLE_ANSWERS, form_body  # noqa: E402
from step_bench import databases, gunicorn, migrate, server_env, wait_ready  # noqa: E402

from readiness.content import load_questionnaire  # noqa: E402

PORT = 8103
QUESTIONNAIRE = load_questionnaire()
ACKED: dict[tuple[str, str], dict] = {}  # (token, step) → answers acknowledged by a 302
FINISHED: list[str] = []
PROBLEMS: list[str] = []


class HiddenInputs(HTMLParser):
    """The hidden fields of the form posting to ``action`` (CSRF token, start nonce…)."""

    def __init__(self, action: str | None = None) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, action is None, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is not None:
            self.inside = (attrs.get("action") or "").endswith(self.action)
        elif tag == "input" and self.inside and attrs.get("type") == "hidden":
            self.fields.setdefault(attrs.get("name"), attrs.get("value") or "")


def hidden(html: str, action: str | None = None) -> dict:
    parser = HiddenInputs(action)
    parser.feed(html)
    return parser.fields


def owner_answers(number: int) -> dict:
    """The sample bakery, varied per owner (name, hours, budget, size of the local share)."""
    rng = random.Random(number)
    return dict(
        SAMPLE_ANSWERS,
        company_name=f"Entreprise {number}",
        hours_per_week=rng.randint(1, 12),
        monthly_budget=rng.choice([0, 50, 100, 300]),
        local_share=rng.randint(10, 95),
    )


class Owner(HttpUser):
    wait_time = between(0, 0)  # set from --think
    counter = 0

    def on_start(self) -> None:
        # Like a browser: a GET whose kept-alive connection the server had just closed is
        # sent again on a new one (gunicorn closes idle connections after 2 s).
        retry = Retry(total=2, connect=2, read=1, status=0, allowed_methods={"GET"})
        self.client.mount("http://", HTTPAdapter(max_retries=retry))

    @task
    def walk(self) -> None:
        Owner.counter += 1
        answers = owner_answers(Owner.counter)
        landing = self.client.get("/", name="GET /")
        start = self.client.post(
            "/commencer",
            data=hidden(landing.text, "/commencer"),
            allow_redirects=False,
            name="POST /commencer",
        )
        if start.status_code != 302:
            PROBLEMS.append(f"/commencer → {start.status_code}")
            raise StopUser()
        token = start.headers["Location"].rstrip("/").split("/")[-2]
        for step in QUESTIONNAIRE.steps:
            self.think()
            page = self.client.get(f"/d/{token}/{step.id}", name="GET step")
            ids = {q.id for q in step.questions}
            data = {k: v for k, v in answers.items() if k in ids}
            body = form_body({**data, "nav": "next", **hidden(page.text)})
            self.think()
            with self.client.post(
                f"/d/{token}/{step.id}",
                data=body,
                allow_redirects=False,
                name="POST step",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                catch_response=True,
            ) as response:
                if response.status_code == 302:
                    ACKED[(token, step.id)] = data
                    response.success()
                else:
                    response.failure(f"HTTP {response.status_code}")
        self.think()
        self.client.get(f"/d/{token}/recapitulatif", name="GET summary")
        self.think()
        self.client.get(f"/d/{token}/resultat", name="GET result")
        if self.download(token):
            FINISHED.append(token)
        raise StopUser()

    def download(self, token: str) -> bool:
        began = time.perf_counter()
        for _ in range(30):
            with self.client.get(
                f"/d/{token}/plan.pdf", name="GET plan.pdf", catch_response=True
            ) as response:
                if response.status_code == 200 and response.content.startswith(b"%PDF"):
                    response.success()
                    self.environment.events.request.fire(
                        request_type="PDF",
                        name="plan.pdf until the file",
                        response_time=(time.perf_counter() - began) * 1000,
                        response_length=len(response.content),
                        exception=None,
                        context={},
                    )
                    return True
                if response.status_code == 202:
                    response.success()  # « en préparation »: come back as the page says
                    gevent.sleep(float(response.headers.get("Retry-After", "3")))
                    continue
                response.failure(f"HTTP {response.status_code}")
                PROBLEMS.append(f"{token[:6]}…: PDF HTTP {response.status_code}")
                return False
        PROBLEMS.append(f"{token[:6]}…: PDF never ready")
        return False

    def think(self) -> None:
        gevent.sleep(self.wait_time())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--owners", type=int, default=40)
    parser.add_argument("--think", type=float, default=2.0, help="seconds between requests")
    parser.add_argument("--spawn-seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--redis", action="store_true", help="RQ queue and one render worker")
    parser.add_argument("--max-seconds", type=int, default=300)
    args = parser.parse_args()
    think = args.think
    Owner.wait_time = between(think * 0.5, think * 1.5) if think else between(0, 0)
    with tempfile.TemporaryDirectory(prefix="load-test-") as tmp, databases(Path(tmp)) as dbs:
        app_url, _, label = dbs
        env = server_env(app_url, app_url, Path(tmp))
        env["PUBLIC_URL"] = f"http://127.0.0.1:{PORT}"
        # gunicorn closes an idle kept-alive connection after 2 s by default, inside the
        # owners' 1–3 s think time: a POST sent as it closes gets no answer, and Locust,
        # unlike a browser, does not resend it. Keep connections open longer than a pause.
        env["GUNICORN_CMD_ARGS"] = f"--keep-alive {math.ceil(think * 1.5) + 2}"
        if args.redis:
            env.update(REDIS_URL="redis://127.0.0.1:6379/0", PDF_QUEUE=f"load-{uuid.uuid4().hex}")
            label += " + Redis/RQ, 1 worker de rendu"
        migrate(env)
        servers = [gunicorn("app:app", PORT, args.workers, env, ROOT, args.threads)]
        if args.redis:
            flask = str(Path(sys.executable).parent / "flask")
            servers.append(
                subprocess.Popen([flask, "--app", "app", "pdf", "worker"], cwd=ROOT, env=env)
            )
        try:
            wait_ready(PORT, "/")
            began = time.monotonic()
            stats = run_locust(args)
            elapsed = time.monotonic() - began
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(timeout=30)
        found, missing = verify(app_url, env)
        if args.redis:
            cleanup_queue(env["PDF_QUEUE"])
    report(stats, label, args, elapsed, found, missing)


def run_locust(args):
    environment = Environment(user_classes=[Owner], host=f"http://127.0.0.1:{PORT}")
    runner = environment.create_local_runner()
    runner.start(args.owners, spawn_rate=args.owners / max(args.spawn_seconds, 0.1))
    began = time.monotonic()
    while time.monotonic() < began + args.max_seconds:
        gevent.sleep(0.5)
        spawned = time.monotonic() > began + args.spawn_seconds + 1
        if spawned and runner.user_count == 0:  # every owner went all the way (or gave up)
            break
    runner.quit()
    return environment.stats


def verify(url: str, env: dict) -> tuple[int, list[str]]:
    """Every acknowledged step's answers, read back from the database."""
    os.environ.update({k: env[k] for k in ("SECRET_KEY", "PUBLIC_URL", "SESSION_COOKIE_SECURE")})
    from readiness import assessments, create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    missing = []
    with app.app_context():
        by_token: dict[str, dict] = {}
        for (token, step_id), answers in ACKED.items():
            if token not in by_token:
                assessment = assessments.find(token)
                by_token[token] = assessments.saved_steps(assessment) if assessment else {}
            if by_token[token].get(step_id) != answers:
                missing.append(f"{token[:6]}…/{step_id}")
        from readiness.extensions import db

        db.session.remove()
        db.engine.dispose()
    return len(ACKED) - len(missing), missing


def cleanup_queue(name: str) -> None:
    from redis import Redis

    connection = Redis.from_url("redis://127.0.0.1:6379/0")
    for key in connection.scan_iter(f"rq:*{name}*"):
        connection.delete(key)
    connection.close()


def report(stats, label, args, elapsed, found, missing) -> None:
    load = os.getloadavg()
    print(
        f"\n{label} — {args.owners} propriétaires, gunicorn {args.workers} workers × "
        f"{args.threads} fils, pause "
        f"{args.think} s entre requêtes, {elapsed:.0f} s, {os.cpu_count()} cœurs, charge "
        f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    print(f"{'route':<26} {'requêtes':>8} {'erreurs':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        print(
            f"{entry.method + ' ' + entry.name if entry.method == 'PDF' else entry.name:<26} "
            f"{entry.num_requests:>8} {entry.num_failures:>8} "
            f"{entry.get_response_time_percentile(0.5):>8.0f} "
            f"{entry.get_response_time_percentile(0.95):>8.0f} "
            f"{entry.get_response_time_percentile(0.99):>8.0f}"
        )
    for error in list(stats.errors.values())[:5]:
        print(f"  {error.occurrences} × {error.method} {error.name} : {error.error}"[:200])
    errors = stats.total.num_failures + len(PROBLEMS)
    print(f"erreurs : {errors}" + (f" ({'; '.join(PROBLEMS[:5])})" if PROBLEMS else ""))
    share = 100 * found / len(ACKED) if ACKED else 0
    print(f"réponses acquittées retrouvées en base : {found}/{len(ACKED)} ({share:.0f} %)")
    if missing:
        print("absentes ou différentes : " + ", ".join(missing[:10]))
    print(f"parcours terminés (PDF reçu) : {len(FINISHED)}/{args.owners}")


if __name__ == "__main__":
    main()
