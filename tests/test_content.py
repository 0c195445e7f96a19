"""The questionnaire file: the contract of SPEC §3, and broken files stopping start-up."""

from pathlib import Path

import pytest
import yaml

from readiness import create_app
from readiness.content import CONTENT_DIR, ContentError, load_questionnaire

CONTRACT = {
    "profile": [
        "company_name",
        "sector",
        "headcount",
        "customers",
        "local_share",
        "website",
        "email_list",
        "premises",
        "regulated",
    ],
    "interest": [
        "goals",
        "customers_online",
        "competitors_present",
        "expect_direct_sales",
        "results_horizon",
        "knows_customer_origin",
        "trigger",
    ],
    "readiness": [
        "promise_clarity",
        "promise_kept",
        "response_time",
        "complaint_process",
        "content_sources",
        "digital_comfort",
        "website_tracking",
    ],
    "philosophy": [
        "criticism_handling",
        "communication_style",
        "transparency",
        "customer_voice",
        "time_horizon",
        "owner_involvement",
    ],
    "resources": ["who", "hours_per_week", "monthly_budget", "training_need", "equipment"],
    "channels": [
        "current_channels",
        "audience_age",
        "visual_offer",
        "video_capacity",
        "paid_ads_tried",
    ],
}


def test_questionnaire_keeps_the_contract_of_the_spec():
    q = load_questionnaire()
    assert {s.id: [x.id for x in s.questions] for s in q.steps} == CONTRACT
    assert q.questions["sector"].option_values == (
        "food_retail",
        "retail",
        "restaurant",
        "crafts",
        "personal_services",
        "tourism",
        "b2b_services",
        "industry",
        "ecommerce",
        "health_care",
        "real_estate",
        "drinks",
        "liberal_profession",
        "other",
    )
    assert q.version == "2"
    assert q.questions["premises"].option_values == ("shop", "by_appointment", "on_site", "online")
    regulated = q.questions["regulated"]
    assert regulated.option_values == (
        "alcohol",
        "health",
        "real_estate",
        "professional_order",
        "finance",
        "none",
    )
    assert [o.value for o in regulated.options if o.exclusive] == ["none"]
    assert q.questions["trigger"].option_values == (
        "competitors",
        "customers_asked",
        "new_offer",
        "someone_advised",
        "falling_sales",
        "other",
    )
    assert {q.questions[i].since for i in ("premises", "regulated", "trigger")} == {"2"}
    assert q.questions["audience_age"].option_values == ("under_25", "25_44", "45_64", "65_plus")
    assert q.questions["current_channels"].option_values[-1] == "none"
    assert q.questions["website_tracking"].relevant == {"q": "website", "not_in": ["none"]}
    assert (q.questions["hours_per_week"].min, q.questions["hours_per_week"].max) == (0, 40)
    assert q.questions["monthly_budget"].max == 100_000
    assert q.questions["company_name"].max_length == 120


def test_jargon_has_help_text():
    q = load_questionnaire()
    assert "zone de chalandise" in q.questions["local_share"].help


def broken(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load((CONTENT_DIR / "questionnaire.yaml").read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "questionnaire.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def question(data, qid):
    return next(q for s in data["steps"] for q in s["questions"] if q["id"] == qid)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["steps"][1]["questions"].append(dict(question(d, "sector"))),
            "question 'sector': duplicate question id",
        ),
        (lambda d: question(d, "sector").update(type="dropdown"), "question 'sector', type"),
        (
            lambda d: question(d, "website_tracking").update(relevant={"q": "site", "eq": "x"}),
            "question 'website_tracking', relevant: unknown question 'site'",
        ),
        (
            lambda d: question(d, "website_tracking").update(
                relevant={"q": "website", "not_in": ["nope"]}
            ),
            "question 'website' has no option 'nope'",
        ),
        (
            lambda d: question(d, "visual_offer").update(choices="oui_non"),
            "unknown choice list 'oui_non'",
        ),
        (
            lambda d: question(d, "hours_per_week").update(min=50),
            "question 'hours_per_week': an integer question needs min <= max",
        ),
        (
            lambda d: question(d, "sector").update(options=[{"value": "a", "label": "A"}] * 2),
            "question 'sector': duplicate option value",
        ),
        (lambda d: question(d, "sector").update(colour="red"), "question 'sector', colour"),
        (
            lambda d: question(d, "regulated")["suggest"]["values"].update(bakery=["alcohol"]),
            "question 'regulated', suggest: 'sector' has no option 'bakery'",
        ),
        (
            lambda d: question(d, "regulated")["suggest"]["values"].update(drinks=["wine"]),
            "question 'regulated', suggest: no option 'wine'",
        ),
        (
            lambda d: question(d, "regulated")["suggest"].update(q="customers_online_x"),
            "question 'regulated', suggest: 'customers_online_x' must be a single-choice",
        ),
        (
            lambda d: question(d, "trigger").update(since="3"),
            "question 'trigger': since '3' must be a version up to '2'",
        ),
    ],
)
def test_broken_questionnaire_names_file_question_and_problem(tmp_path, mutate, expected):
    with pytest.raises(ContentError) as error:
        load_questionnaire(broken(tmp_path, mutate))
    assert str(error.value).startswith("questionnaire.yaml: ")
    assert expected in str(error.value)


def test_unreadable_yaml_is_reported(tmp_path):
    path = tmp_path / "questionnaire.yaml"
    path.write_text("steps: [unclosed", encoding="utf-8")
    with pytest.raises(ContentError, match="questionnaire.yaml: cannot be read"):
        load_questionnaire(path)


def test_a_broken_content_file_stops_start_up(tmp_path, monkeypatch):
    path = broken(tmp_path, lambda d: question(d, "sector").update(type="dropdown"))
    monkeypatch.setattr("readiness.load_questionnaire", lambda: load_questionnaire(path))
    with pytest.raises(ContentError, match="sector"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
