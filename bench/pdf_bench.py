"""Benchmark of the PDF action plan: cold and warm renders, WeasyPrint alone, cached download, RSS.

Run from the project root: ``.venv/bin/python bench/pdf_bench.py`` (``--out DIR`` also writes
the PDFs of the three sample cases). Targets: warm render ≤ 0.6 s median and ≤ 1.3 × WeasyPrint
alone; cached download ≤ 20 ms median; peak RSS ≤ 200 MB after 20 plans.

Seconds depend on the machine. To compare with the figure the target was set against, each
warm render alternates with a render of a fixed reference: the first version's plan for the
same bakery (``bench/reference/``, 10 pages), which took 0.75–0.91 s (0.83 s in the middle) on
the machine where the 0.6 s target was set. A ratio ≤ 0.6 / 0.83 = 0.72 meets the target
there, whatever this machine's speed.
"""

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from readiness import assessments, create_app, pdf, results  # noqa: E402
from readiness.extensions import db  # noqa: E402
from readiness.pdf_cache import PdfCache  # noqa: E402, F401  (its table must exist)

CASES = ("baker_no_website", "b2b_consultancy", "nobody_no_time")
CONSULTANT = {
    "name": "Claire Dubois",
    "firm": "Dubois Conseil Numérique",
    "email": "claire@dubois-conseil.fr",
    "phone": "06 12 34 56 78",
    "logo_data_uri": None,
}
WARM_RUNS = 10
REFERENCE = ROOT / "bench" / "reference"
REFERENCE_SECONDS = 0.83  # the reference's warm render where the 0.6 s target was set
TARGET_SECONDS = 0.6
DOWNLOADS = 30
RSS_PLANS = 20


def make_app(database: Path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        db.create_all()
    return app


def case_answers(name: str) -> dict:
    return yaml.safe_load((ROOT / "tests" / "cases" / f"{name}.yaml").read_text())["answers"]


def stored_diagnostic(app, answers: dict) -> str:
    """A completed diagnostic in the database; returns its token."""
    questionnaire = app.extensions["readiness"].questionnaire
    assessment = assessments.start(questionnaire)
    for step in questionnaire.steps:
        ids = {q.id for q in step.questions}
        assessments.save_step(assessment, step.id, {k: v for k, v in answers.items() if k in ids})
    return assessment.token


def sample_report(app, name: str, company: str | None = None) -> dict:
    """The report of a sample case; the consultancy one carries branding, notes and progress."""
    answers = case_answers(name)
    if company:
        answers["company_name"] = company
    token = stored_diagnostic(app, answers)
    assessment = assessments.find(token)
    report = results.build_report(assessment, results.completed_answers(assessment))
    report["date"] = datetime(2026, 11, 22, 10, tzinfo=UTC)
    if name == "b2b_consultancy":
        report["consultant"] = CONSULTANT
        report["notes"] = [
            {
                "step": "Vos ressources",
                "text": "Le dirigeant s'en occupe lui-même : bloquer 2 h le lundi matin.\n"
                "Refaire le point dans 3 mois !",
            }
        ]
        previous = {d: max(0, s - 12) for d, s in report["result"]["scores"].items()}
        report["previous"] = {"date": datetime(2026, 5, 4, tzinfo=UTC), "scores": previous}
    return report


def timed(function, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def cold(database: Path) -> dict:
    """First render in a fresh process (imports and app set-up not counted)."""
    app = make_app(database)
    with app.app_context():
        report = sample_report(app, "baker_no_website")
        start = time.perf_counter()
        pdf.render_plan(report)
        return {"cold_render_s": time.perf_counter() - start}


def rss_worker(database: Path) -> dict:
    """Render RSS_PLANS plans (no cache) and report the peak memory of the processes."""
    app = make_app(database)
    with app.app_context():
        for i in range(RSS_PLANS):
            report = sample_report(app, CASES[i % len(CASES)], company=f"Entreprise n° {i}")
            pdf.render_plan(report)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"parent_peak_mb": own, "largest_child_peak_mb": children}


def in_subprocess(mode: str, database: Path) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, f"--{mode}", str(database)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the three sample PDFs here")
    parser.add_argument("--cold", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--rss", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold or args.rss:
        print(json.dumps(cold(args.cold) if args.cold else rss_worker(args.rss)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cold_s = in_subprocess("cold", tmp / "cold.sqlite3")["cold_render_s"]
        app = make_app(tmp / "bench.sqlite3")
        with app.app_context():
            reports = {name: sample_report(app, name) for name in CASES}
            report = reports["baker_no_website"]
            html, tighter = pdf.plan_html(report), pdf.plan_html(report, tight=True)
            static = app.static_folder
            reference_html = (REFERENCE / "v1_plan.html").read_text(encoding="utf-8")
            pdf.render_plan(report)  # warm-up
            pdf.html_to_pdf(reference_html, str(REFERENCE))
            warm, reference = [], []
            for _ in range(WARM_RUNS):  # alternated, so both see the same machine load
                warm += timed(lambda: pdf.render_plan(report), 1)
                reference += timed(lambda: pdf.html_to_pdf(reference_html, str(REFERENCE)), 1)
            alone = timed(lambda: pdf.write_pdf(html, static, tighter_html=tighter), WARM_RUNS)
            pages = len(PdfReader(io.BytesIO(pdf.render_plan(report))).pages)
            refitted = pdf.last_page_fill(pdf.layout(html, static)) < pdf.LAST_PAGE_MIN_FILL
            template = timed(lambda: pdf.plan_html(report), WARM_RUNS)
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                for name, case_report in reports.items():
                    (args.out / f"{name}.pdf").write_bytes(pdf.render_plan(case_report))
        client = app.test_client()
        url = f"/d/{report['token']}/plan.pdf"
        first = timed(lambda: client.get(url), 1)[0]
        downloads = timed(lambda: client.get(url), DOWNLOADS)
        response = client.get(url)
        assert response.status_code == 200 and response.data.startswith(b"%PDF"), response.status
        memory = in_subprocess("rss", tmp / "rss.sqlite3")

    warm_s, alone_s = statistics.median(warm), statistics.median(alone)
    reference_s = statistics.median(reference)
    relative = statistics.median(w / r for w, r in zip(warm, reference, strict=True))
    target_ratio = TARGET_SECONDS / REFERENCE_SECONDS
    peak = max(memory["parent_peak_mb"], memory["largest_child_peak_mb"])
    rows = [
        ("Cold render (first in a fresh process)", f"{cold_s:.3f} s", ""),
        ("Warm render, median", f"{warm_s:.3f} s", "≤ 0.6 s"),
        ("  pages; laid out twice (last page refitted)", f"{pages}; {refitted}", ""),
        ("Reference: first version's plan, median", f"{reference_s:.3f} s", ""),
        ("Warm render / reference (median of pairs)", f"{relative:.2f}", f"≤ {target_ratio:.2f}"),
        ("  i.e. on the target's machine", f"{relative * REFERENCE_SECONDS:.2f} s", "≤ 0.6 s"),
        ("  of which the print template (Jinja)", f"{statistics.median(template):.3f} s", ""),
        ("WeasyPrint alone on the same HTML, median", f"{alone_s:.3f} s", ""),
        ("Ratio warm render / WeasyPrint alone", f"{warm_s / alone_s:.2f}", "≤ 1.3"),
        ("First download (renders and stores)", f"{first * 1000:.0f} ms", ""),
        ("Cached download, median", f"{statistics.median(downloads) * 1000:.1f} ms", "≤ 20 ms"),
        ("Peak RSS after 20 plans, parent", f"{memory['parent_peak_mb']:.0f} MB", ""),
        ("Peak RSS after 20 plans, largest child", f"{memory['largest_child_peak_mb']:.0f} MB", ""),
        ("Peak RSS after 20 plans, worst process", f"{peak:.0f} MB", "≤ 200 MB"),
    ]
    print(f"PDF benchmark — {os.cpu_count()} CPU, load average {os.getloadavg()[0]:.2f}")
    for label, value, target in rows:
        print(f"{label:<44} {value:>10}   {target}")


if __name__ == "__main__":
    main()
