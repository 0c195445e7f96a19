"""Questionnaire v2: new questions, suggestions from the sector, diagnostics stored before v2."""

import copy

from readiness.extensions import db
from readiness.models import Assessment, AssessmentStep
from tests.conftest import SAMPLE_ANSWERS
from tests.rules_helpers import questionnaire, result_for

NEW_QUESTIONS = ("premises", "regulated", "trigger")


def v1_answers() -> dict:
    """The sample answers as a v1 diagnostic stored them: without the v2 questions."""
    return {k: v for k, v in copy.deepcopy(SAMPLE_ANSWERS).items() if k not in NEW_QUESTIONS}


def store(app, answers: dict, version: str, prefill: dict | None = None, steps=True) -> str:
    """A diagnostic written straight to the database, as an older release would have."""
    q = questionnaire()
    token = ("V" + version) * 16
    with app.app_context():
        assessment = Assessment(token=token, questionnaire_version=version, prefill=prefill)
        db.session.add(assessment)
        db.session.flush()
        for step in q.steps if steps else ():
            saved = {x.id: answers[x.id] for x in step.questions if x.id in answers}
            db.session.add(
                AssessmentStep(assessment_id=assessment.id, step_id=step.id, answers=saved)
            )
        db.session.commit()
    return token[:32]


def test_v1_answers_still_score_without_the_new_questions():
    result = result_for(v1_answers())
    assert result["verdict"] in {"go", "start_small", "prepare_first", "not_now"}
    assert result["verdict"] == result_for(SAMPLE_ANSWERS)["verdict"]


def test_a_diagnostic_stored_before_v2_stays_complete_and_shows_its_result(app, client):
    token = store(app, v1_answers(), "1")
    assert client.get(f"/d/{token}").location.endswith(f"/d/{token}/recapitulatif")
    step = client.get(f"/d/{token}/profile").get_data(as_text=True)
    assert "Retour au récapitulatif" in step  # complete on its step pages too
    page = client.get(f"/d/{token}/resultat")
    assert page.status_code == 200
    data = client.get(f"/api/v1/assessments/{token}").get_json()
    assert data["complete"] is True and data["questionnaire_version"] == "1"
    assert data["result"]["verdict"] == result_for(v1_answers())["verdict"]


def test_a_v2_diagnostic_without_the_new_answers_asks_them(app, client):
    token = store(app, v1_answers(), "2")
    assert client.get(f"/d/{token}").location.endswith(f"/d/{token}/profile")
    assert client.get(f"/api/v1/assessments/{token}").get_json()["complete"] is False


def test_a_reassessment_asks_the_new_questions_and_ticks_the_suggested_rules(app, client):
    previous = dict(v1_answers(), sector="drinks")
    token = store(app, {}, "2", prefill=previous, steps=False)
    page = client.get(f"/d/{token}/profile").get_data(as_text=True)
    assert len(_inputs(page, "premises")) == 4 and _checked(page, "premises") == []
    assert _checked(page, "regulated") == ["alcohol"]
    assert client.get(f"/d/{token}/interest").get_data(as_text=True).count('name="trigger"') == 6


def test_a_stored_answer_wins_over_the_suggestion(app, client):
    token = store(app, {}, "2", prefill=dict(v1_answers(), sector="drinks", regulated=["none"]))
    page = client.get(f"/d/{token}/profile").get_data(as_text=True)
    assert _checked(page, "regulated") == ["none"]


def test_no_suggestion_for_a_sector_without_rules(app, client):
    token = store(app, {}, "2", prefill=v1_answers(), steps=False)
    page = client.get(f"/d/{token}/profile").get_data(as_text=True)
    assert _checked(page, "regulated") == []
    assert 'data-suggest-from="sector"' in page  # the script ticks them as the sector changes


def _inputs(page: str, name: str) -> list[str]:
    return [tag for tag in page.split("<input")[1:] if f'name="{name}"' in tag.split(">")[0]]


def _checked(page: str, name: str) -> list[str]:
    found = []
    for tag in _inputs(page, name):
        head = tag.split(">")[0]
        if "checked" in head:
            found.append(head.split('value="')[1].split('"')[0])
    return found


def test_the_api_scores_v2_answers_with_three_questions_and_regulations(client):
    answers = dict(SAMPLE_ANSWERS, sector="drinks", regulated=["alcohol"])
    result = client.post("/api/v1/score", json=answers).get_json()
    assert [q["id"] for q in result["three_questions"]] == ["interest", "readiness", "philosophy"]
    assert {"alcohol_where", "alcohol_content"} <= {r["id"] for r in result["regulations"]}


def test_the_api_names_a_missing_v2_answer(client):
    response = client.post("/api/v1/score", json=v1_answers())
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == set(NEW_QUESTIONS)
