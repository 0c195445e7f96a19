"""The result page starts with this week; « Et si… ? » comes back at the form; typography."""

import html as html_lib
import re
from datetime import datetime
from pathlib import Path

from readiness.formatting import fr_date, fr_hours, typeset
from tests.conftest import SAMPLE_ANSWERS

WHAT_IF = "hours_per_week={}&monthly_budget=50&who=owner&response_time=within_48h"


def _positions(html: str, *markers: str) -> list[int]:
    return [html.index(marker) for marker in markers]


def test_the_page_opens_with_the_verdict_then_this_week(wizard, client):
    token = wizard.complete()
    html = client.get(f"/d/{token}/resultat").get_data(as_text=True)
    order = _positions(
        html,
        'id="verdict-title"',
        'id="semaine-title"',
        'id="days-title"',
        'id="channels-title"',
        'id="whatif-title"',
        'id="scores-title"',
    )
    assert order == sorted(order)
    week = html[html.index('id="semaine-title"') : html.index('id="days-title"')]
    tasks = re.findall(r'<span class="task-title">(.*?)</span>', week)
    assert 1 <= len(tasks) <= 3
    assert re.search(r'class="task-time">(\d+\xa0(min|h)|sans temps)', week)
    # The scores, misconceptions and sources are folded, each said once.
    assert html.count('id="scores-title"') == 1
    assert "<details" in html[html.index('id="scores-title"') :]


def test_this_week_follows_the_plans_priority_order(wizard, client):
    token = wizard.complete()
    result = client.get(f"/api/v1/assessments/{token}").get_json()["result"]
    html = client.get(f"/d/{token}/resultat").get_data(as_text=True)
    week = html[html.index('id="semaine-title"') : html.index('id="days-title"')]
    first_task = re.search(r'<span class="task-title">(.*?)</span>', week).group(1)
    now = [a["title"] for a in result["actions"] if a["horizon"] in ("now", "quarter")]
    assert first_task.replace("&#39;", "'") == now[0].replace("&#39;", "'")


def test_a_simulation_shows_changes_and_names_the_pdf_it_downloads(wizard, client):
    token = wizard.complete()
    html = client.get(f"/d/{token}/resultat?" + WHAT_IF.format("10")).get_data(as_text=True)
    assert 'action="/d/' in html and '#et-si"' in html
    assert "Télécharger le plan simulé (PDF)" in html
    assert "Télécharger mon plan enregistré (PDF)" in html
    assert re.search(r"Score global&nbsp;: \d+/100 \([+−=]", html)
    simulated = client.get(f"/d/{token}/plan.pdf?" + WHAT_IF.format("10"))
    assert simulated.status_code == 200 and simulated.data.startswith(b"%PDF")
    assert "-simulation.pdf" in simulated.headers["Content-Disposition"]
    saved = client.get(f"/d/{token}/plan.pdf")
    assert "-simulation" not in saved.headers["Content-Disposition"]


def test_a_what_if_error_is_at_the_top_of_the_form_with_the_focus(wizard, client):
    token = wizard.complete()
    response = client.get(f"/d/{token}/resultat?" + WHAT_IF.format("beaucoup"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<title>Erreur : " in html
    form_area = html[html.index('id="whatif-title"') :]
    assert form_area.index('class="error-summary"') < form_area.index("<form")
    assert "autofocus" in form_area[: form_area.index("<form")]


def test_summary_links_to_a_radio_group_focus_its_first_radio(wizard, client):
    token = wizard.start()
    answers = dict(wizard.step_answers("profile", SAMPLE_ANSWERS))
    del answers["sector"]
    html = wizard.post_step(token, "profile", answers).get_data(as_text=True)
    assert "<title>Erreur : " in html
    assert 'href="#sector-0"' in html and 'id="sector-0"' in html


def test_each_step_says_how_many_questions_and_how_long(wizard, client):
    token = wizard.start()
    html = client.get(f"/d/{token}/profile").get_data(as_text=True)
    assert re.search(r"\d+ questions, environ \d+ minutes?\.", html)


def test_french_typography_apostrophes_and_first_of_the_month():
    assert typeset("Il n'y a pas d'avis le 1 janvier") == "Il n’y a pas d’avis le 1er janvier"
    assert typeset("le 21 janvier") == "le 21 janvier"
    assert fr_date(datetime(2026, 12, 1)) == "1er décembre 2026"


def test_content_texts_use_typographic_apostrophes(app):
    questionnaire = app.extensions["readiness"].questionnaire
    labels = [q.label for q in questionnaire.questions.values()]
    assert any("’" in label for label in labels)
    assert not any("'" in label for label in labels)


def test_this_week_says_the_plans_load_once_in_the_words_of_the_advice(wizard, client):
    """One sentence, from the rules' advice: no second wording of the same figures."""
    template = Path(__file__).parent.parent / "templates" / "result.html"
    assert "vous demande" not in template.read_text(encoding="utf-8")
    for hours in (3, 1, 0):  # fits, some actions deferred, no hour declared
        token = wizard.complete(dict(SAMPLE_ANSWERS, hours_per_week=hours))
        html = client.get(f"/d/{token}/resultat").get_data(as_text=True)
        box = re.search(r'<section class="this-week".*?</section>', html, re.S).group(0)
        load = client.get(f"/api/v1/assessments/{token}").get_json()["result"]["plan_load"]
        [line] = re.findall(r'<p class="load-line[^"]*">(.*?)</p>', box, re.S)
        assert html_text(line) == html_text(load["advice"])
        weekly = html_text(f"demande {fr_hours(load['hours_per_week'])} par semaine")
        assert html_text(box).count(weekly) == (0 if hours == 0 else 1), html_text(box)


def html_text(markup: str) -> str:
    """Visible text, every kind of space folded to one plain space."""
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", markup))
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()
