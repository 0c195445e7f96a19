"""Numbers typed the French way: read exactly, or refused with a French message."""

from decimal import Decimal

import pytest

from readiness.numbers import NumberError, parse_number
from tests.conftest import SAMPLE_ANSWERS


@pytest.mark.parametrize(
    ("text", "integer", "expected"),
    [
        ("1,5", False, Decimal("1.5")),
        ("1.5", False, Decimal("1.5")),
        ("2 h", False, Decimal(2)),
        ("1h30", False, Decimal("1.5")),
        ("2 h 30", False, Decimal("2.5")),
        ("1,5 h / semaine", False, Decimal("1.5")),
        ("1 000 €", True, Decimal(1000)),
        ("1\u202f000\u00a0€", True, Decimal(1000)),
        ("1 000,00 €", True, Decimal(1000)),
        ("12 %", True, Decimal(12)),
        ("12,5 %", False, Decimal("12.5")),
        ("300 euros par mois", True, Decimal(300)),
    ],
)
def test_french_numbers_are_read_exactly(text, integer, expected):
    assert parse_number(text, integer=integer) == expected


@pytest.mark.parametrize(
    ("text", "integer", "message"),
    [
        ("12,5", True, "nombre entier"),
        ("1.000", True, "nombre entier"),  # one or a thousand? ask, never guess
        ("beaucoup", False, "en chiffres"),
        ("5e3", True, "en chiffres"),
        ("30 min", False, "en chiffres"),
        ("1h75", False, "minutes"),
        ("9" * 300, True, "bien trop grand"),
    ],
)
def test_unreadable_numbers_say_what_to_type(text, integer, message):
    with pytest.raises(NumberError, match=message):
        parse_number(text, integer=integer)


def _resources(**changes):
    keys = ("who", "hours_per_week", "monthly_budget", "training_need", "equipment")
    return {k: SAMPLE_ANSWERS[k] for k in keys} | changes


def test_half_hours_typed_with_a_comma_are_saved_as_halves(wizard, client):
    token = wizard.start()
    response = wizard.post_step(token, "resources", _resources(hours_per_week="1,5"))
    assert response.status_code == 302
    saved = client.get(f"/api/v1/assessments/{token}").get_json()["answers"]
    assert saved["hours_per_week"] == 1.5
    page = client.get(f"/d/{token}/resources").get_data(as_text=True)
    assert 'value="1,5"' in page
    assert 'inputmode="decimal"' in page and 'type="number"' not in page


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("hours_per_week", "1,25", "Arrondissez à 0,5 près"),
        ("hours_per_week", "41", "Saisissez un nombre entre 0 et 40."),
        ("hours_per_week", "-1", "Saisissez un nombre entre 0 et 40."),
        ("monthly_budget", "12,5", "Saisissez un nombre entier"),
        ("monthly_budget", "1" * 310, "bien trop grand"),
    ],
)
def test_bad_numbers_are_refused_next_to_the_field(wizard, client, field, typed, message):
    token = wizard.start()
    response = wizard.post_step(token, "resources", _resources(**{field: typed}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-erreur"' in html and message in html
    assert "resources" not in client.get(f"/api/v1/assessments/{token}").get_json()["answers"]


def test_share_typed_with_a_comma_is_an_error_not_125(wizard, client):
    token = wizard.start()
    answers = dict(wizard.step_answers("profile", SAMPLE_ANSWERS), local_share="12,5")
    response = wizard.post_step(token, "profile", answers)
    assert response.status_code == 422
    assert "Saisissez un nombre entier" in response.get_data(as_text=True)
    assert client.get(f"/api/v1/assessments/{token}").get_json()["answers"] == {}


@pytest.mark.parametrize("hours", [1.5, "1,5", "1.5"])
def test_api_scores_half_hours_given_as_number_or_french_text(client, hours):
    response = client.post("/api/v1/score", json=dict(SAMPLE_ANSWERS, hours_per_week=hours))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["plan_load"]["declared_hours_per_week"] == 1.5


@pytest.mark.parametrize("hours", [10**300, 1e308, "1,25"])
def test_api_refuses_huge_or_uneven_hours_with_a_field_error(client, hours):
    response = client.post("/api/v1/score", json=dict(SAMPLE_ANSWERS, hours_per_week=hours))
    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == ["hours_per_week"]


def test_what_if_takes_half_hours(wizard, client):
    token = wizard.complete()
    response = client.get(
        f"/d/{token}/resultat?hours_per_week=2,5&monthly_budget=0&who=owner&response_time=days"
    )
    assert response.status_code == 200
    assert 'value="2,5"' in response.get_data(as_text=True)


@pytest.mark.parametrize("blank", [" ", "\u00a0", "\t"])
def test_a_blank_required_number_is_unanswered_not_a_500(client, blank):
    response = client.post("/api/v1/score", json=dict(SAMPLE_ANSWERS, monthly_budget=blank))
    assert response.status_code == 400
    assert "monthly_budget" in response.get_json()["errors"]
