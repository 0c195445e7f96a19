"""Instructions per request (valgrind/callgrind), the app's step against the bare peer.

A shared machine makes req/s and even CPU times move from one run to the next; the number
of instructions a request executes does not. This runs, in one process and without a
server, the four routes of ``bench/step_bench.py`` (bare page, bare step, app step POST and
GET on a completed diagnostic, the same cookies) and counts the instructions of N requests
of each under callgrind, after a warm-up.

    .venv/bin/python bench/step_instructions.py [--requests 20]

Needs valgrind and a C compiler (the callgrind start/stop requests are a small C helper,
built in a temporary folder). About a minute of one core. SQLite only: with PostgreSQL most
of the added cost is the database server's, which callgrind does not see. The ratios printed
leave out what a server adds to every request (gunicorn, sockets).
"""

import argparse
import ctypes
import os
import re
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HELPER = """
#include <valgrind/callgrind.h>
void start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void stop(const char *name) { CALLGRIND_DUMP_STATS_AT(name); CALLGRIND_STOP_INSTRUMENTATION; }
"""
RESOURCES = ("who", "hours_per_week", "monthly_budget", "training_need", "equipment")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--inside", help=argparse.SUPPRESS)  # run by valgrind
    args = parser.parse_args()
    if args.inside:
        measure(args.requests, Path(args.inside))
        return
    with tempfile.TemporaryDirectory(prefix="step-instr-") as tmp:
        tmp = Path(tmp)
        (tmp / "helper.c").write_text(HELPER)
        subprocess.run(
            ["cc", "-O1", "-shared", "-fPIC", "-o", tmp / "helper.so", tmp / "helper.c"],
            check=True,
        )
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={tmp}/cg.%p",
                sys.executable,
                __file__,
                "--requests",
                str(args.requests),
                "--inside",
                str(tmp),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        report(tmp, args.requests)


def measure(n: int, tmp: Path) -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    os.environ.setdefault("SECRET_KEY", "instructions-secret-key-long-enough-0123456789")
    os.environ["PEER_DATABASE_URL"] = f"sqlite:///{tmp / 'peer.sqlite3'}"
    import peer_app
    from werkzeug.test import EnvironBuilder

    from readiness import create_app
    from readiness.extensions import db
    from tests.conftest import SAMPLE_ANSWERS, Wizard, form_data

    peer_app.init_db()
    app = create_app(
        {
            "SECRET_KEY": os.environ["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'app.sqlite3'}",
            "PUBLIC_URL": "http://127.0.0.1",
            "SESSION_COOKIE_SECURE": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "PDF_PRERENDER": False,
        }
    )
    with app.app_context():
        db.create_all()
    client = app.test_client()
    wizard = Wizard(client, app.extensions["readiness"].questionnaire)
    token = wizard.complete()
    path = f"/d/{token}/resources"
    answers = form_data({k: SAMPLE_ANSWERS[k] for k in RESOURCES})
    body = urlencode(answers + [("nav", "next"), ("csrf_token", wizard.csrf())]).encode()
    form = "application/x-www-form-urlencoded"
    assert client.post(path, data=body, content_type=form).status_code == 302
    peer = peer_app.app.test_client()
    step = f"/step/{uuid.uuid4().hex}"
    token_field = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', peer.get(step).text)
    peer_body = urlencode(answers + [("csrf_token", token_field.group(1))]).encode()
    assert peer.post(step, data=peer_body, content_type=form).status_code == 302

    def cookies(c) -> str:
        return "; ".join(f"{k.key}={k.value}" for k in c._cookies.values())

    routes = {
        "page": (peer_app.app, "/page", None, cookies(peer)),
        "bare_step": (peer_app.app, step, peer_body, cookies(peer)),
        "app_POST": (app, path, body, cookies(client)),
        "app_GET": (app, path, None, cookies(client)),
    }
    callgrind = ctypes.CDLL(str(tmp / "helper.so"))
    statuses = []
    for name, (target, url, data, cookie) in routes.items():
        environs = [
            EnvironBuilder(
                path=url,
                method="POST" if data else "GET",
                headers={"Cookie": cookie},
                data=data,
                content_type=form if data else None,
            ).get_environ()
            for _ in range(n + 10)
        ]
        for i, environ in enumerate(environs):
            if i == 10:  # after a warm-up
                callgrind.start()
            response = target.wsgi_app(environ, lambda status, h, e=None: statuses.append(status))
            b"".join(response)
            response.close()
        callgrind.stop(name.encode())
        assert all(s[:3] in ("200", "302") for s in statuses), (name, set(statuses))


def report(tmp: Path, n: int) -> None:
    counts = {}
    for dump in tmp.glob("cg.*.*"):
        text = dump.read_text(errors="replace")
        name = re.search(r"^desc: Trigger: Client Request: (\S+)", text, re.M).group(1)
        counts[name] = int(re.search(r"^summary: (\d+)", text, re.M).group(1)) / n
    for name, count in counts.items():
        print(f"{name:<10} {count / 1e6:6.2f} M instructions / request")
    print(
        f"app POST / bare step {counts['bare_step'] / counts['app_POST']:.2f}, "
        f"app GET / page {counts['page'] / counts['app_GET']:.2f} (in process, no server)"
    )


if __name__ == "__main__":
    main()
