"""Step forms built from the questionnaire: one case per question type and error."""

import pytest
from werkzeug.datastructures import MultiDict

from readiness.content import load_questionnaire
from readiness.forms import cleaned_answers, make_step_form, validate_payload
from tests.conftest import SAMPLE_ANSWERS, form_data

QUESTIONNAIRE = load_questionnaire()


@pytest.fixture
def step_form(app, questionnaire):
    def build(step_id, answers, saved=None):
        with app.test_request_context(method="POST"):
            step = questionnaire.step(step_id)
            form = make_step_form(
                questionnaire, step, saved or {}, MultiDict(form_data(answers)), csrf=False
            )
            form.validate()
            return form

    return build


def step_answers(step_id: str) -> dict:
    """The sample answers of one step."""
    return {q.id: SAMPLE_ANSWERS[q.id] for q in QUESTIONNAIRE.step(step_id).questions}


def profile(**changes):
    base = step_answers("profile")
    return {k: v for k, v in dict(base, **changes).items() if v is not None}


def test_valid_step_gives_typed_answers(step_form):
    form = step_form("profile", profile())
    assert form.errors == {}
    assert cleaned_answers(form)["local_share"] == 70


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"company_name": None}, "company_name", "Ce champ est obligatoire."),
        ({"company_name": "   "}, "company_name", "Ce champ est obligatoire."),
        ({"company_name": "x" * 121}, "company_name", "120 caractères au maximum."),
        ({"local_share": "7,5"}, "local_share", "Saisissez un nombre entier"),
        ({"local_share": "-1"}, "local_share", "Saisissez un nombre entre 0 et 100."),
        ({"local_share": None}, "local_share", "Ce champ est obligatoire."),
        ({"sector": None}, "sector", "Choisissez une réponse."),
        ({"sector": "bakery"}, "sector", "choix valide"),
    ],
)
def test_profile_errors_are_french(step_form, changes, field, message):
    form = step_form("profile", profile(**changes))
    assert list(form.errors) == [field]
    assert message in " ".join(form.errors[field])


def test_text_is_trimmed(step_form):
    form = step_form("profile", profile(company_name="  Chez Paul  "))
    assert cleaned_answers(form)["company_name"] == "Chez Paul"


def test_several_of_needs_at_least_one(step_form):
    answers = step_answers("interest")
    del answers["goals"]
    form = step_form("interest", answers)
    assert form.errors == {"goals": ["Cochez au moins une réponse."]}


def test_several_of_rejects_unknown_and_exclusive_combinations(step_form):
    resources = step_answers("resources")
    form = step_form("resources", dict(resources, equipment=["smartphone", "none"]))
    assert "« Rien de tout cela » ne peut pas être coché" in form.errors["equipment"][0]
    form = step_form("resources", dict(resources, equipment=["drone"]))
    assert "equipment" in form.errors


def test_conditional_question_depends_on_saved_answers(step_form):
    readiness = step_answers("readiness")
    del readiness["website_tracking"]
    without_site = step_form("readiness", readiness, saved={"website": "none"})
    assert "website_tracking" not in without_site._fields
    assert without_site.errors == {}
    with_site = step_form("readiness", readiness, saved={"website": "current"})
    assert "website_tracking" in with_site.errors


def test_validate_payload_accepts_the_sample(app, questionnaire):
    with app.test_request_context():
        answers, errors = validate_payload(questionnaire, SAMPLE_ANSWERS)
    assert errors == {}
    assert answers == SAMPLE_ANSWERS


def test_validate_payload_lists_field_errors(app, questionnaire):
    payload = dict(SAMPLE_ANSWERS, hours_per_week=99, goals="sales", colour="red")
    del payload["sector"]
    with app.test_request_context():
        answers, errors = validate_payload(questionnaire, payload)
    assert answers == {}
    assert set(errors) == {"hours_per_week", "goals", "colour", "sector"}
    assert errors["colour"] == ["Question inconnue."]
