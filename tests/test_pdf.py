"""The printable plan: its content, French typography, a renderer that fetches nothing, a limit."""

import html as html_lib
import http.server
import io
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from readiness import create_app, pdf, pdf_render, results
from readiness.formatting import fr_source
from readiness.radar import radar_svg
from tests.conftest import SAMPLE_ANSWERS

HOSTILE_NAME = '<img src="file:///etc/passwd"> & <b>Boulangerie</b>'
CONSULTANT = {
    "name": "Claire Dubois",
    "firm": "Dubois Conseil",
    "email": "claire@dubois-conseil.fr",
    "phone": "06 12 34 56 78",
    "logo_data_uri": None,
}


@pytest.fixture(scope="module")
def pdf_app(tmp_path_factory):
    """One app for the module: the rendering tests need no database of their own."""
    database = tmp_path_factory.mktemp("pdf") / "pdf.sqlite3"
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        }
    )


def make_report(app, answers=None, **extra) -> dict:
    """A report as the report service hands it to pdf.py, from answers and the real rules."""
    answers = answers or SAMPLE_ANSWERS
    questionnaire = app.extensions["readiness"].questionnaire
    answers = questionnaire.relevant_answers(answers)
    with app.app_context():
        result = results.evaluate_scenario(answers)
    report = {
        "company_name": answers["company_name"],
        "date": datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
        "token": "t" * 32,
        "answers": results.labelled_answers(questionnaire, answers),
        "result": result,
        "radar_svg": str(radar_svg(result["scores"])),
        "consultant": None,
        "notes": [],
        "previous": None,
        "cache_key": "k" * 64,
    }
    report.update(extra)
    return report


def pdf_text(document: bytes) -> tuple[int, str]:
    """Page count and the whole text, with every run of spaces (no-break ones too) as one."""
    reader = PdfReader(io.BytesIO(document))
    text = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"[\s\u00a0\u202f]+", " ", text)


def flat(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


class RecordingFetcher(pdf.StaticOnlyFetcher):
    """The app's fetcher, noting every URL WeasyPrint asks for."""

    def __init__(self, static_folder):
        super().__init__(static_folder)
        self.urls = []

    def fetch(self, url, headers=None):
        self.urls.append(url)
        return super().fetch(url, headers)


@pytest.fixture(scope="module")
def full_plan(pdf_app):
    """A plan with every section (branding, notes, progress), rendered once in this process."""
    report = make_report(
        pdf_app,
        dict(SAMPLE_ANSWERS, company_name=HOSTILE_NAME),
        consultant=CONSULTANT,
        notes=[{"step": "Vos ressources", "text": "Bloquer 2 h le lundi : <script>x</script>!"}],
        internal=True,  # the notes are only in the consultant's internal copy
        previous={"date": datetime(2026, 5, 4, tzinfo=UTC), "scores": {"interest": 50}},
    )
    with pdf_app.app_context():
        html = pdf.plan_html(report)
        fetcher = RecordingFetcher(pdf_app.static_folder)
        document = pdf.write_pdf(html, pdf_app.static_folder, fetcher)
    pages, text = pdf_text(document)
    return {"report": report, "html": html, "pages": pages, "text": text, "urls": fetcher.urls}


def test_the_plan_holds_verdict_actions_footer_and_answers(full_plan):
    report, text, pages = full_plan["report"], full_plan["text"], full_plan["pages"]
    result = report["result"]
    assert flat(result["verdict_label"]) in text
    assert flat(result["verdict_sentence"]) in text
    for action in result["actions"]:
        assert flat(action["title"]) in text
    for horizon in ("Ce mois-ci", "D’ici 3 mois", "Dans l’année"):
        assert horizon in text
    assert f"page 1 / {pages}" in text and f"page {pages} / {pages}" in text
    assert "22 novembre 2026" in text
    unbroken = re.sub(r"(\w)- (\w)", r"\1-\2", text)  # « Quelques- uns » at a line end
    for step in report["answers"]:
        for item in step["items"]:
            assert flat(item["value"]) in unbroken
    for heading in ("Vos 90 premiers jours", "Les indicateurs à suivre", "Vos progrès"):
        assert heading in text
    assert "Claire Dubois" in text and "Dubois Conseil" in text


def test_every_evidence_cited_is_listed_with_its_source(full_plan):
    text = full_plan["text"]
    result = full_plan["report"]["result"]
    cited = [e for a in result["actions"] for e in a["evidence"]]
    cited += [e for m in result["misconceptions"] for e in m["evidence"]]
    assert cited
    for evidence in cited:
        assert flat(evidence["text"]) in text
        assert flat(f"Source : {fr_source(evidence)}") in text
    # Old studies say their year, and the annex warns they are about ten years old.
    dated = [e for e in cited if e["kind"] == "study" and e["year"]]
    assert dated and all(f"étude de {e['year']}" in flat(text) for e in dated)
    assert "ont une dizaine d’années" in flat(text)


def test_markup_typed_in_answers_is_printed_as_text_and_fetches_nothing(full_plan):
    assert HOSTILE_NAME in full_plan["text"]
    assert "<script>x</script>" in full_plan["text"]
    assert '<img src="file:///etc/passwd">' not in full_plan["html"]
    assert "&lt;img src=" in full_plan["html"]
    # The print stylesheet is parsed once per process and handed over: nothing is fetched.
    assert full_plan["urls"] == []


def test_the_plan_html_is_compacted_without_changing_the_text(full_plan):
    html = full_plan["html"]
    assert "\n  <" not in html and "&nbsp;" not in html and "&#8239;" not in html
    assert "print.css" not in html  # applied by the renderer, parsed once per process
    # Inline elements that the templates put on separate lines keep their space.
    assert pdf.compact_html("<p><b>Oui</b>\n    <i>non</i></p>") == "<p><b>Oui</b> <i>non</i></p>"
    assert pdf.compact_html("<p>«&nbsp;a&nbsp;»</p>") == "<p>«\u00a0a\u00a0»</p>"
    # Typed text is escaped: a typed « &nbsp; » stays as typed.
    assert pdf.compact_html("<p>&amp;nbsp;</p>") == "<p>&amp;nbsp;</p>"


def test_the_client_copy_never_prints_a_note(pdf_app):
    notes = [{"step": "Vos ressources", "text": "Ne veut pas se montrer"}]
    report = make_report(pdf_app, consultant=CONSULTANT, notes=notes)  # not internal
    with pdf_app.app_context():
        html = pdf.plan_html(report)
    assert "Ne veut pas se montrer" not in html and "Copie interne" not in html


def test_french_typography(full_plan):
    html = full_plan["html"]
    assert "Vos 90 premiers jours" in html
    assert re.search(r"«&nbsp;|«\u00a0", html)  # no-break space inside quotes
    assert "\u00a0:" in html or "&nbsp;:" in html
    assert re.search(r"\d\u00a0(h|min)\b", html)  # 2 h, 15 min never split
    assert "0\u00a0€" in html or "\u202f€" not in html


def test_filename_is_a_slug_of_the_company_and_the_french_date(pdf_app):
    report = make_report(pdf_app, dict(SAMPLE_ANSWERS, company_name="Café « Élise » & Fils"))
    assert pdf.plan_filename(report) == "plan-action-cafe-elise-fils-2026-11-22.pdf"
    late = dict(
        report, date=datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    )  # already the 23rd in Paris
    assert pdf.plan_filename(late).endswith("-2026-11-23.pdf")
    assert pdf.plan_filename(dict(report, company_name="<>")) == (
        "plan-action-entreprise-2026-11-22.pdf"
    )


def test_zero_hours_plan_says_so_and_lists_what_someone_else_can_do(pdf_app):
    answers = dict(SAMPLE_ANSWERS, who="nobody", hours_per_week=0, monthly_budget=0)
    report = make_report(pdf_app, answers)
    with pdf_app.app_context():
        html = flat(html_lib.unescape(pdf.plan_html(report)))
    assert "Vous avez déclaré 0 heure par semaine" in html
    assert "Semaine</th>" not in html  # no weekly table to follow
    for action in pdf.delegable_actions(report["result"]):
        assert flat(action["title"]) in html


def test_render_in_a_child_process_gives_a_pdf(pdf_app):
    with pdf_app.app_context():
        document = pdf.render_plan(make_report(pdf_app))
    pages, text = pdf_text(document)
    assert document.startswith(b"%PDF") and pages >= 5
    assert "Boulangerie Martin" in text


def test_a_render_that_runs_too_long_raises_pdf_timeout(pdf_app):
    pdf_app.config["PDF_RENDER_TIMEOUT"] = 0.01
    try:
        with pdf_app.app_context(), pytest.raises(pdf.PdfTimeout):
            pdf.render_plan(make_report(pdf_app))
    finally:
        del pdf_app.config["PDF_RENDER_TIMEOUT"]


def test_a_render_error_in_the_child_is_reported():
    with pytest.raises(pdf.PdfRenderError, match="ZeroDivisionError"):
        pdf_render._in_child(lambda: 1 / 0, (), timeout=10)


# --- the renderer reaches nothing but the static folder ----------------------------------


@pytest.fixture
def http_server():
    """A local server counting the requests it gets, on a free port."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(302)  # a redirect to a file, in case anything followed it
            self.send_header("Location", "file:///etc/hosts")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()
    thread.join()


def hostile_page(base: str, outside_css: Path) -> str:
    outside_css.write_text("body::before { content: 'FUITE'; }")
    return f"""<!doctype html><html><head>
      <link rel="stylesheet" href="{base}/style.css">
      <link rel="stylesheet" href="{outside_css.as_uri()}">
      <link rel="stylesheet" href="print.css">
      <style>@import url("{base}/import.css"); p {{ background: url("{base}/bg.png"); }}</style>
      </head><body>
      <p>Contenu</p>
      <img src="{base}/pixel.png"><img src="file:///etc/hosts"><img src="../../../../etc/hosts">
      <object data="{base}/object"></object><embed src="{base}/embed">
      <svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
        <image href="{base}/svg.png" width="10" height="10"/></svg>
      </body></html>"""


def test_the_renderer_fetches_no_url_outside_the_static_folder(http_server, tmp_path):
    base, hits = http_server
    html = hostile_page(base, tmp_path / "outside.css")
    fetcher = RecordingFetcher(pdf.STATIC_DIR)
    in_process = pdf.write_pdf(html, pdf.STATIC_DIR, fetcher)
    forked = pdf.html_to_pdf(html, str(pdf.STATIC_DIR), timeout=30)
    assert hits == []
    assert len(fetcher.urls) >= 8  # every one was asked for, and refused
    for document in (in_process, forked):
        _, text = pdf_text(document)
        assert "Contenu" in text and "FUITE" not in text


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/style.css",
        "https://example.com/style.css",
        "ftp://example.com/style.css",
        "file:///etc/hosts",
        "file://localhost/etc/passwd",
        "file://{static}/../readiness/pdf.py",
        "file://{static}/%2e%2e/readiness/pdf.py",
        "file://evil.example/{static}/print.css",
        "//127.0.0.1:{port}/x.css",
        "javascript:alert(1)",
    ],
)
def test_the_fetcher_refuses_everything_but_static_files(url, http_server):
    base, hits = http_server
    port = base.rsplit(":", 1)[1]
    fetcher = pdf.StaticOnlyFetcher(pdf.STATIC_DIR)
    with pytest.raises(ValueError):
        fetcher.fetch(url.format(port=port, static=Path(pdf.STATIC_DIR).resolve()))
    assert hits == []


def test_the_fetcher_refuses_a_symlink_out_of_the_static_folder(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.css").write_text("p { color: black; }")
    (static / "hosts.css").symlink_to("/etc/hosts")
    fetcher = pdf.StaticOnlyFetcher(static)
    assert fetcher.fetch((static / "ok.css").as_uri()).read() == b"p { color: black; }"
    with pytest.raises(ValueError):
        fetcher.fetch((static / "hosts.css").as_uri())


def test_the_fetcher_serves_static_files_and_data_urls():
    fetcher = pdf.StaticOnlyFetcher(pdf.STATIC_DIR)
    css = fetcher.fetch((Path(pdf.STATIC_DIR) / "print.css").resolve().as_uri())
    assert b"@page" in css.read() and css.content_type == "text/css"
    image = fetcher.fetch("data:image/png;base64,iVBORw0KGgo=")
    assert image.read() == b"\x89PNG\r\n\x1a\n" and image.content_type == "image/png"


def test_a_logo_that_is_not_an_inline_image_is_left_out(pdf_app):
    consultant = dict(CONSULTANT, logo_data_uri="http://127.0.0.1:9/logo.png")
    with pdf_app.app_context():
        html = pdf.plan_html(make_report(pdf_app, consultant=consultant))
    assert "127.0.0.1:9" not in html and "Claire Dubois" in html


CASES = Path(__file__).parent / "cases"
PAGE_LIMITS = {"solo": 8, "micro": 8, "small": 10, "medium": 10}


@pytest.mark.parametrize("case", sorted(p.stem for p in CASES.glob("*.yaml")))
def test_a_tpe_plan_fits_in_8_pages_and_a_pme_plan_in_10(pdf_app, case):
    """The client's plan with branding and progress: other sections must keep within it."""

    answers = yaml.safe_load((CASES / f"{case}.yaml").read_text())["answers"]
    scores = {"interest": 40, "readiness": 40, "philosophy": 40, "resources": 40}
    previous = {"date": datetime(2026, 8, 20, tzinfo=UTC), "scores": scores}
    report = make_report(pdf_app, answers, consultant=CONSULTANT, previous=previous)
    with pdf_app.app_context():
        document = pdf.render_plan(report)
    pages, _ = pdf_text(document)
    assert pages <= PAGE_LIMITS[answers["headcount"]], f"{case}: {pages} pages"
    # No page left almost empty: the last one holds more than a few lines.
    assert last_page_fill(document) >= pdf_render.LAST_PAGE_MIN_FILL, case


def last_page_fill(document: bytes) -> float:
    """Share of the last page's text area used, read from the PDF's text positions
    (A4, margins 12 mm at the top and 14 mm at the bottom, where the footer sits)."""
    page = PdfReader(io.BytesIO(document)).pages[-1]
    top, bottom = float(page.mediabox.height) - 12 * MM, 14 * MM
    heights = []

    def visit(text, cm, tm, font, size):
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if text.strip() and y > bottom:
            heights.append(y)

    page.extract_text(visitor_text=visit)
    return (top - min(heights)) / (top - bottom)


MM = 72 / 25.4


def one_page_and_a_bit(block_mm: int, marker: str = "", lines: int = 3) -> str:
    """A block of ``block_mm`` millimetres then short lines (page area: 271 mm)."""
    return f'<div style="height: {block_mm}mm"></div>{marker}' + "<p>ligne</p>" * lines


def test_a_last_page_with_a_few_lines_is_laid_out_again_tighter(pdf_app):
    static = pdf_app.static_folder
    loose, tighter = one_page_and_a_bit(266), one_page_and_a_bit(250)
    assert pdf_text(pdf.write_pdf(loose, static))[0] == 2
    assert last_page_fill(pdf.write_pdf(loose, static)) < pdf_render.LAST_PAGE_MIN_FILL
    # The tighter layout saves the page: it is the one written, in process and forked.
    assert pdf_text(pdf.write_pdf(loose, static, tighter_html=tighter))[0] == 1
    assert pdf_text(pdf.html_to_pdf(loose, static, 30, tighter_html=tighter))[0] == 1
    # A tighter layout that saves nothing is not used.
    assert pdf_text(pdf.write_pdf(loose, static, tighter_html=loose + "<p>x</p>"))[0] == 2


def test_the_tighter_plan_differs_only_by_the_body_class(pdf_app):
    """render_plan derives the tighter HTML from the plan's instead of rendering it again."""
    report = make_report(pdf_app)
    with pdf_app.app_context():
        html, tight = pdf.plan_html(report), pdf.plan_html(report, tight=True)
    assert html.count("<body>") == 1
    assert html.replace("<body>", '<body class="tight">', 1) == tight


def test_a_last_page_with_enough_on_it_is_not_laid_out_twice(pdf_app):
    static = pdf_app.static_folder
    fetcher = RecordingFetcher(static)
    marker = '<img src="favicon.svg" alt="">'
    pdf.write_pdf(
        one_page_and_a_bit(200), static, fetcher, tighter_html=one_page_and_a_bit(1, marker)
    )
    assert fetcher.urls == []  # the tighter document was never laid out
    pdf.write_pdf(
        one_page_and_a_bit(266), static, fetcher, tighter_html=one_page_and_a_bit(1, marker)
    )
    assert [url.rsplit("/", 1)[1] for url in fetcher.urls] == ["favicon.svg"]


def test_page_one_is_the_page_to_pin_on_the_wall(pdf_app):
    report = make_report(pdf_app, consultant=CONSULTANT)
    with pdf_app.app_context():
        document = pdf.render_plan(report)
        context = pdf.plan_context(report)
    first = flat(PdfReader(io.BytesIO(document)).pages[0].extract_text())
    assert "Claire Dubois" in first and "Boulangerie Martin" in first
    assert "Cette semaine" in first and "Votre rythme" in first
    horizons = report["result"]["plan_load"]["horizons"]
    soon = [a for a in report["result"]["actions"] if a["horizon"] in horizons]
    for action in soon[:3]:
        assert flat(action["title"]) in first
    assert len(context["wall"]["kpis"]) == 3
    for kpi in context["wall"]["kpis"]:
        assert flat(kpi) in first
    assert "Refaites le diagnostic vers le 21 février 2027" in first  # 13 weeks on
    report = make_report(pdf_app, next_meeting=datetime(2027, 2, 15).date())
    with pdf_app.app_context():
        document = pdf.render_plan(report)
    first = flat(PdfReader(io.BytesIO(document)).pages[0].extract_text())
    assert "Prochain rendez-vous : 15 février 2027" in first


def test_weeks_repeating_the_same_routine_are_one_row(pdf_app):
    with pdf_app.app_context():
        rows = pdf.plan_context(make_report(pdf_app))["week_rows"]
    assert sum(r["last"] - r["first"] + 1 for r in rows) == 13
    assert len(rows) < 13 and any(r["last"] > r["first"] for r in rows)


def wall_line(app, answers) -> str:
    with app.app_context():
        html = pdf.plan_html(make_report(app, answers))
    line = re.search(r'<p class="wall-line">(.*?)</p>', html, re.S).group(1)
    return flat(html_lib.unescape(re.sub(r"<[^>]+>", "", line)))


def test_the_wall_says_where_the_posts_go_never_sur_fiche_google(pdf_app):
    """« sur » names the networks posted on; the Google profile (no posts) is not one."""
    assert wall_line(pdf_app, SAMPLE_ANSWERS) == (
        "3 h par semaine, toujours au même moment ; 1 publication par semaine sur Instagram."
    )
    no_posts = wall_line(pdf_app, dict(SAMPLE_ANSWERS, hours_per_week=1))
    assert no_posts == "1 h par semaine, toujours au même moment."
