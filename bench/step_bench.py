"""Throughput of the wizard against bare peers, side by side in one run (issue 12).

Serves, each with gunicorn and 2 workers, the app and ``bench/peer_app.py`` (the same
libraries, nothing else), then drives each route with wrk (32 connections) in turns:

- page:      the peer's bare Jinja page (GET /page);
- bare step: the peer's 5-field Flask-WTF form, CSRF, upsert, commit, redirect (POST);
- app POST:  the app's step ``/d/<token>/resources`` (same 5 questions), saved, redirect;
- app GET:   the same step shown, pre-filled.

It prints req/s, p99, the server CPU per request (the gunicorn workers' user + system
time over the requests served: what the ratios come down to, and less sensitive than req/s
to other work on the machine) and the ratios app POST / bare step (target ≥ 0.8) and
app GET / page (target ≥ 0.3). SQLite by default (a fresh file per run); with
DATABASE_URL=postgresql://… a fresh database is created on that server and dropped after.

    .venv/bin/python bench/step_bench.py [--seconds 10] [--rounds 2] [--connections 32]

Requires wrk (``apt-get install wrk``). Ports 8101 (app) and 8102 (peer) on 127.0.0.1.
The ratios are what to compare across runs: absolute figures move with the machine's load.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_client import SAMPLE_ANSWERS, Browser, form_body  # noqa: E402

APP_PORT, PEER_PORT = 8101, 8102
SECRET = secrets.token_hex(32)
RESOURCES = {k: SAMPLE_ANSWERS[k] for k in ("who", "hours_per_week", "monthly_budget")}
RESOURCES |= {k: SAMPLE_ANSWERS[k] for k in ("training_need", "equipment")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk est introuvable : apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="step-bench-") as tmp, databases(Path(tmp)) as dbs:
        app_url, peer_url, label = dbs
        env = server_env(app_url, peer_url, Path(tmp))
        migrate(env)
        subprocess.run(
            [sys.executable, "-c", "import peer_app; peer_app.init_db()"],
            cwd=ROOT / "bench",
            env=env,
            check=True,
        )
        servers = [
            gunicorn("app:app", APP_PORT, args.workers, env, ROOT),
            gunicorn("peer_app:app", PEER_PORT, args.workers, env, ROOT / "bench"),
        ]
        try:
            wait_ready(APP_PORT, "/")
            wait_ready(PEER_PORT, "/page")
            results = run(args, Path(tmp), {APP_PORT: servers[0].pid, PEER_PORT: servers[1].pid})
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(timeout=30)
    report(results, label, args)


# --- databases and servers ---------------------------------------------------------------


class databases:
    """SQLite files in the run's folder, or a fresh PostgreSQL database dropped afterwards."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.pg = os.environ.get("DATABASE_URL", "").startswith("postgres")
        self.name = f"step_bench_{uuid.uuid4().hex[:8]}"

    def __enter__(self):
        if not self.pg:
            return (
                f"sqlite:///{self.tmp / 'app.sqlite3'}",
                f"sqlite:///{self.tmp / 'peer.sqlite3'}",
                "SQLite (WAL)",
            )
        self.admin = admin_engine()
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {self.name}")
        url = database_url(self.name)
        return url, url, "PostgreSQL"

    def __exit__(self, *exc) -> None:
        if self.pg:
            with self.admin.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
            self.admin.dispose()


def database_url(name: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["DATABASE_URL"]).set(drivername="postgresql+psycopg")
    return url.set(database=name).render_as_string(hide_password=False)


def admin_engine():
    from sqlalchemy import create_engine

    return create_engine(database_url("postgres"), isolation_level="AUTOCOMMIT")


def server_env(app_url: str, peer_url: str, tmp: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=app_url,
        PEER_DATABASE_URL=peer_url,
        SECRET_KEY=SECRET,
        PUBLIC_URL=f"http://127.0.0.1:{APP_PORT}",
        SESSION_COOKIE_SECURE="0",
        # Every simulated visitor comes from 127.0.0.1: per-address limits set out of reach.
        RATELIMIT_STORAGE_URI="memory://",
        START_RATE_LIMIT="100000 per minute",
        PDF_RATE_LIMIT="100000 per minute",
        PYTHONPATH=str(ROOT),
    )
    return env


def migrate(env: dict) -> None:
    flask = str(Path(sys.executable).parent / "flask")
    subprocess.run(
        [flask, "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def gunicorn(
    target: str, port: int, workers: int, env: dict, cwd: Path, threads: int = 1
) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-w",
        str(workers),
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        target,
    ]
    return subprocess.Popen(command, cwd=cwd, env=env)


def wait_ready(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            Browser(f"http://127.0.0.1:{port}").get(path)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"le serveur du port {port} ne répond pas")


# --- the measured routes --------------------------------------------------------------


def run(args, tmp: Path, masters: dict[int, int]) -> dict[str, list[dict]]:
    app = Browser(f"http://127.0.0.1:{APP_PORT}")
    token = app.complete_diagnostic()
    app_step = f"/d/{token}/resources"
    csrf = app.csrf(app_step)
    app_body = form_body({**RESOURCES, "nav": "next", "csrf_token": csrf})
    check(app.post(app_step, app_body), 302, "app POST")

    peer = Browser(f"http://127.0.0.1:{PEER_PORT}")
    peer_step = f"/step/{uuid.uuid4().hex}"
    peer_body = form_body({**RESOURCES, "csrf_token": peer.csrf(peer_step)})
    check(peer.post(peer_step, peer_body), 302, "bare step POST")

    targets = {
        "page": (PEER_PORT, "/page", None, peer),
        "bare step": (PEER_PORT, peer_step, peer_body, peer),
        "app step POST": (APP_PORT, app_step, app_body, app),
        "app step GET": (APP_PORT, app_step, None, app),
    }
    results: dict[str, list[dict]] = {name: [] for name in targets}
    for _ in range(args.rounds):
        for name, (port, path, body, browser) in targets.items():
            script = tmp / "request.lua"
            script.write_text(lua(path, body, browser.cookie_header()), encoding="utf-8")
            before = cpu_seconds(masters[port])
            result = wrk(port, script, args)
            # Server CPU (user + system) per request: what the ratios come down to.
            result["cpu_ms"] = (cpu_seconds(masters[port]) - before) / result["requests"] * 1000
            results[name].append(result)
    return results


def check(response, status: int, what: str) -> None:
    if response.status != status:
        raise SystemExit(f"{what}: HTTP {response.status} au lieu de {status}")


def lua(path: str, body: str | None, cookie: str) -> str:
    lines = [f"wrk.path = {json.dumps(path)}", f'wrk.headers["Cookie"] = {json.dumps(cookie)}']
    if body is not None:
        lines += [
            'wrk.method = "POST"',
            f"wrk.body = {json.dumps(body)}",
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"',
        ]
    return "\n".join(lines) + "\n"


def wrk(port: int, script: Path, args) -> dict:
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{args.connections}",
            f"-d{args.seconds}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": rps,
        "requests": requests,
        "p99_ms": float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)],
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def cpu_seconds(master: int) -> float:
    """CPU time used so far by a gunicorn master's workers (Linux /proc)."""
    total = 0.0
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


# --- report ----------------------------------------------------------------------------


def report(results: dict[str, list[dict]], label: str, args) -> None:
    load = os.getloadavg()
    print(
        f"\n{label} — gunicorn {args.workers} workers, wrk {args.connections} connexions, "
        f"{args.rounds} tours de {args.seconds} s, {os.cpu_count()} cœurs, "
        f"charge {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    print(
        f"{'route':<15} {'req/s (tours)':<28} {'médiane':>8} {'p99 ms':>8} {'erreurs':>8} "
        f"{'CPU ms/req':>10}"
    )
    median = {}
    for name, runs in results.items():
        median[name] = statistics.median(r["rps"] for r in runs)
        each = " ".join(f"{r['rps']:.0f}" for r in runs)
        p99 = max(r["p99_ms"] for r in runs)
        errors = sum(r["errors"] for r in runs)
        cpu = statistics.median(r["cpu_ms"] for r in runs)
        print(f"{name:<15} {each:<28} {median[name]:>8.0f} {p99:>8.1f} {errors:>8} {cpu:>10.2f}")
        for r in runs:
            if r["socket_errors"]:
                print(f"  erreurs de socket : {r['socket_errors']}")
    post_ratios = ratios(results["app step POST"], results["bare step"])
    get_ratios = ratios(results["app step GET"], results["page"])
    print(
        f"app step POST / bare step : {statistics.median(post_ratios):.2f} "
        f"(par tour : {' '.join(f'{r:.2f}' for r in post_ratios)}) — cible ≥ 0,8"
    )
    print(
        f"app step GET / page       : {statistics.median(get_ratios):.2f} "
        f"(par tour : {' '.join(f'{r:.2f}' for r in get_ratios)}) — cible ≥ 0,3"
    )


def ratios(app_runs: list[dict], peer_runs: list[dict]) -> list[float]:
    """Per round: the app's req/s over the peer's, measured seconds apart."""
    return [a["rps"] / b["rps"] for a, b in zip(app_runs, peer_runs, strict=True)]


if __name__ == "__main__":
    main()
