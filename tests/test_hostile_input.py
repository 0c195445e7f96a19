"""Hostile input gets a French 400/422, never a 500, and nothing bad is stored (§4)."""

import io
import struct
import zlib

import pytest
from sqlalchemy import func, select

from readiness.extensions import db
from readiness.models import AssessmentStep, Client, Consultant
from tests.conftest import SAMPLE_ANSWERS, Wizard

NUL_MESSAGE = "Ce champ contient un caractère invisible non autorisé."
HUGE = ["9" * 309, "9" * 4300, "-" + "9" * 1000]


@pytest.fixture
def claire(consultants):
    consultants.create()
    consultants.login()
    return consultants


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def csrf_of(client, url):
    import re

    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_deeply_nested_json_is_a_400(client):
    body = "[" * 1000 + "]" * 1000
    response = client.post("/api/v1/score", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errors"]["answers"] == ["JSON bien trop imbriqué."]
    deep_object = '{"a":' * 1000 + "1" + "}" * 1000
    response = client.post("/api/v1/score", data=deep_object, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("digits", HUGE)
def test_huge_integers_in_a_step_are_refused_in_french(wizard, app, digits):
    token = wizard.start()
    for step_id, question in (("profile", "local_share"), ("resources", "hours_per_week")):
        data = dict(wizard.step_answers(step_id, SAMPLE_ANSWERS), **{question: digits})
        response = wizard.post_step(token, step_id, data)
        assert response.status_code == 422
        assert "Ce nombre est bien trop grand." in response.get_data(as_text=True)
    assert count(app, AssessmentStep) == 0


@pytest.mark.parametrize("digits", HUGE)
def test_huge_integers_in_the_api_and_the_what_if_are_refused(wizard, client, digits):
    answers = dict(SAMPLE_ANSWERS, monthly_budget=int(digits))
    response = client.post("/api/v1/score", json=answers)
    assert response.status_code == 400
    assert response.get_json()["errors"]["monthly_budget"] == ["Ce nombre est bien trop grand."]
    token = wizard.complete()
    response = client.get(f"/d/{token}/resultat?hours_per_week={digits}")
    assert response.status_code == 422
    assert "Ce nombre est bien trop grand." in response.get_data(as_text=True)


def test_nul_in_a_step_answer_is_refused_and_not_stored(wizard, app):
    token = wizard.start()
    data = dict(wizard.step_answers("profile", SAMPLE_ANSWERS), company_name="Boul\x00angerie")
    response = wizard.post_step(token, "profile", data)
    assert response.status_code == 422
    assert NUL_MESSAGE in response.get_data(as_text=True)
    assert count(app, AssessmentStep) == 0


def test_nul_in_the_api_is_a_400(client):
    response = client.post("/api/v1/score", json=dict(SAMPLE_ANSWERS, company_name="a\x00"))
    assert response.status_code == 400
    assert response.get_json()["errors"]["company_name"][0].startswith(NUL_MESSAGE)


def test_nul_in_the_login_email_is_a_422(consultants, client):
    consultants.create()
    response = consultants.login(email="claire@conseil.fr\x00")
    assert response.status_code == 422
    assert NUL_MESSAGE in response.get_data(as_text=True)


def test_nul_in_a_client_name_is_refused_and_not_stored(claire, client, app):
    token = csrf_of(client, "/conseil/clients/nouveau")
    response = client.post(
        "/conseil/clients/nouveau", data={"name": "Garage\x00", "csrf_token": token}
    )
    assert response.status_code == 422
    assert NUL_MESSAGE in response.get_data(as_text=True)
    assert count(app, Client) == 0


def test_nul_in_a_note_is_refused_and_not_stored(claire, client, app):
    token = claire.new_diagnostic(claire.new_client())
    wizard = Wizard(client, app.extensions["readiness"].questionnaire)
    data = dict(wizard.step_answers("profile", SAMPLE_ANSWERS), note="note\x00cachée")
    response = wizard.post_step(token, "profile", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = page.split('class="error-summary"')[1].split("</div>")[0]
    assert NUL_MESSAGE in summary and "caractères au maximum" not in summary
    assert page.split('id="note-erreur">')[1].startswith(NUL_MESSAGE)  # next to the field
    assert count(app, AssessmentStep) == 0


@pytest.mark.parametrize("field", ["name", "firm", "phone", "contact_email"])
def test_nul_in_a_profile_field_is_refused_and_not_stored(claire, client, app, field):
    data = {
        "name": "Claire Durand",
        field: "x\x00y",
        "csrf_token": csrf_of(client, "/conseil/profil"),
    }
    response = client.post("/conseil/profil", data=data)
    assert response.status_code == 422
    assert NUL_MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        assert "\x00" not in (getattr(db.session.scalar(select(Consultant)), field) or "")


def test_nul_in_the_search_box_is_a_400(claire, client):
    response = client.get("/conseil/clients?q=a%00b")
    assert response.status_code == 400
    assert "caractère non autorisé" in response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["9223372036854775807", "99999999999999999999999", "-5"])
def test_absurd_page_numbers_are_a_400(claire, client, page):
    response = client.get(f"/conseil/clients?page={page}")
    assert response.status_code == 400
    assert "Ce numéro de page n’existe pas." in response.get_data(as_text=True)


def test_invalid_contact_email_is_refused_in_french(claire, client):
    data = {
        "name": "Claire Durand",
        "contact_email": "pas-une-adresse",
        "csrf_token": csrf_of(client, "/conseil/profil"),
    }
    response = client.post("/conseil/profil", data=data)
    assert response.status_code == 422
    assert "Saisissez une adresse e-mail valide" in response.get_data(as_text=True)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header announces width × height pixels (the data is never reached)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [20000, 10000, 6000])
def test_a_decompression_bomb_logo_is_refused(claire, client, app, size):
    data = {
        "name": "Claire Durand",
        "csrf_token": csrf_of(client, "/conseil/profil"),
        "logo": (io.BytesIO(png_header_only(size, size)), "logo.png"),
    }
    response = client.post("/conseil/profil", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Cette image est trop grande" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Consultant.logo_png)) is None


def test_going_back_with_a_huge_invalid_answer_keeps_the_session_cookie_small(wizard, client):
    token = wizard.start()
    data = dict(wizard.step_answers("profile", SAMPLE_ANSWERS), company_name="x" * 20_000)
    response = wizard.post_step(token, "profile", data, nav="previous")
    assert response.status_code == 302
    assert all(len(c) < 4000 for c in response.headers.getlist("Set-Cookie"))
    small = dict(wizard.step_answers("profile", SAMPLE_ANSWERS), local_share="beaucoup")
    wizard.post_step(token, "profile", small, nav="previous")
    assert "beaucoup" in client.get(f"/d/{token}/profile").get_data(as_text=True)
