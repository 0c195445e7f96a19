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


def test_question_html_links_help_and_errors_and_escapes_what_was_typed(step_form, app):
    from readiness.forms import question_html

    answers = dict(step_answers("resources"), hours_per_week='<b>"3"</b>', who="nobody?")
    form = step_form("resources", answers)
    with app.test_request_context():
        hours = question_html(form["hours_per_week"], QUESTIONNAIRE.questions["hours_per_week"])
        who = question_html(form["who"], QUESTIONNAIRE.questions["who"])
        budget = question_html(form["monthly_budget"], QUESTIONNAIRE.questions["monthly_budget"])
    assert '<div class="question has-error">' in hours
    assert (
        ' aria-describedby="hours_per_week-aide hours_per_week-erreur" aria-invalid="true"' in hours
    )
    assert 'value="&lt;b&gt;&#34;3&#34;&lt;/b&gt;"' in hours and "<b>" not in hours
    assert '<p class="error" id="hours_per_week-erreur">' in hours
    assert '<fieldset class="question has-error" id="who">' in who
    assert who.count('aria-invalid="true"') == len(QUESTIONNAIRE.questions["who"].options)
    assert "has-error" not in budget and "aria-invalid" not in budget
    assert 'aria-describedby="monthly_budget-aide"' in budget and 'value="50"' in budget


def test_question_html_writes_the_suggestions_as_escaped_json(step_form, app):
    from readiness.forms import question_html

    form = step_form("profile", step_answers("profile"))
    with app.test_request_context():
        html = question_html(form["regulated"], QUESTIONNAIRE.questions["regulated"])
    assert 'data-suggest-from="sector"' in html
    assert 'data-suggest="{&#34;drinks&#34;: [&#34;alcohol&#34;]' in html
