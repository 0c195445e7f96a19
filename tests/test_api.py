"""JSON API v1."""

from tests.conftest import SAMPLE_ANSWERS


def test_questionnaire_lists_steps_questions_options_and_conditions(client):
    data = client.get("/api/v1/questionnaire").get_json()
    assert data["version"] == "2"
    assert [s["id"] for s in data["steps"]] == [
        "profile",
        "interest",
        "readiness",
        "philosophy",
        "resources",
        "channels",
    ]
    questions = {q["id"]: q for s in data["steps"] for q in s["questions"]}
    assert questions["website_tracking"]["relevant"] == {"q": "website", "not_in": ["none"]}
    assert {
        "value": "b2b",
        "label": "Des entreprises ou des professionnels",
        "exclusive": False,
    } in questions["customers"]["options"]
    assert questions["local_share"]["type"] == "integer"


def test_assessment_returns_answers_and_completion(wizard, client):
    token = wizard.start()
    empty = client.get(f"/api/v1/assessments/{token}").get_json()
    assert empty["answers"] == {} and empty["completed_steps"] == [] and not empty["complete"]
    token = wizard.complete()
    data = client.get(f"/api/v1/assessments/{token}").get_json()
    assert data["answers"] == SAMPLE_ANSWERS
    assert data["complete"] is True
    assert data["questionnaire_version"] == "2"


def test_unknown_assessment_is_a_json_404(client):
    response = client.get("/api/v1/assessments/" + "B" * 32)
    assert response.status_code == 404
    assert response.get_json()["error"] == "Page introuvable"


def test_score_returns_the_result_and_stores_nothing(client, app):
    response = client.post("/api/v1/score", json=SAMPLE_ANSWERS)
    assert response.status_code == 200
    result = response.get_json()
    assert result["verdict"] in {"go", "start_small", "prepare_first", "not_now"}
    assert set(result["scores"]) >= {
        "interest",
        "readiness",
        "philosophy",
        "resources",
        "channels",
        "overall",
    }
    from readiness.extensions import db
    from readiness.models import Assessment

    with app.app_context():
        assert db.session.query(Assessment).count() == 0


def test_score_rejects_bad_answers_with_field_errors(client):
    payload = dict(SAMPLE_ANSWERS, hours_per_week=-3, equipment="smartphone")
    response = client.post("/api/v1/score", json=payload)
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert set(errors) == {"hours_per_week", "equipment"}
    assert client.post("/api/v1/score", data="not json").status_code == 400
