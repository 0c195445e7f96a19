"""The result page and its "Et si… ?" simulation."""

import html as html_lib
import re

from tests.conftest import SAMPLE_ANSWERS


def test_result_waits_for_every_step(wizard, client):
    token = wizard.start()
    response = client.get(f"/d/{token}/resultat")
    assert response.location.endswith(f"/d/{token}")


def test_summary_links_to_the_result_once_complete(wizard, client):
    token = wizard.complete()
    html = client.get(f"/d/{token}/recapitulatif").get_data(as_text=True)
    assert f"/d/{token}/resultat" in html


def test_result_page_shows_verdict_scores_channels_plan_and_pdf_link(wizard, client):
    token = wizard.complete()
    html = html_lib.unescape(client.get(f"/d/{token}/resultat").get_data(as_text=True))
    result = client.get(f"/api/v1/assessments/{token}").get_json()["result"]
    assert result["verdict_label"] in html
    assert result["verdict_sentence"] in html
    assert "<svg" in html and 'role="img"' in html
    for dimension in ("Intérêt", "Préparation", "Philosophie", "Ressources", "Canaux"):
        assert f'<th scope="row">{dimension}</th>' in html
    primary = [c for c in result["channels"] if c["role"] == "primary"]
    assert primary and all(c["label"] in html for c in primary)
    for action in result["actions"]:
        assert action["title"] in html
    assert "Ce mois-ci" in html
    assert f"/d/{token}/plan.pdf" in html


def test_what_if_changes_the_verdict_without_touching_saved_answers(wizard, client):
    token = wizard.complete()
    saved = client.get(f"/api/v1/assessments/{token}").get_json()
    html = client.get(
        f"/d/{token}/resultat?hours_per_week=0&monthly_budget=0&who=nobody&response_time=days"
    ).get_data(as_text=True)
    assert "Simulation" in html
    assert "Pas maintenant" in html
    after = client.get(f"/api/v1/assessments/{token}").get_json()
    assert after["answers"] == saved["answers"] == SAMPLE_ANSWERS
    assert after["result"] == saved["result"]
    assert re.search(r'id="hours_per_week"[^>]*value="0"', html)


def test_what_if_with_bad_input_shows_a_french_error(wizard, client):
    token = wizard.complete()
    response = client.get(
        f"/d/{token}/resultat?hours_per_week=plein&monthly_budget=0&who=owner&response_time=days"
    )
    assert response.status_code == 422
    assert "Saisissez un nombre, en chiffres" in response.get_data(as_text=True)
    assert "Simulation" not in response.get_data(as_text=True)


def test_result_snapshot_follows_the_answers(wizard, client, app):
    token = wizard.complete()
    before = client.get(f"/api/v1/assessments/{token}").get_json()["result"]
    resources = wizard.step_answers("resources", SAMPLE_ANSWERS)
    wizard.post_step(token, "resources", dict(resources, who="nobody", hours_per_week=0))
    after = client.get(f"/api/v1/assessments/{token}").get_json()["result"]
    assert before["verdict"] != after["verdict"] == "not_now"


def test_a_simulation_link_carries_the_what_if_fields_only(wizard, client):
    token = wizard.complete()
    what_if = "hours_per_week=0&monthly_budget=0&who=nobody&response_time=days"
    page = client.get(f"/d/{token}/resultat?{what_if}&token=abc&_external=1")
    assert page.status_code == 200
    link = re.search(r'href="([^"]*plan\.pdf\?[^"]*)"', page.get_data(as_text=True)).group(1)
    assert "hours_per_week=0" in link and "response_time=days" in link
    assert "token=" not in link and "_external" not in link
