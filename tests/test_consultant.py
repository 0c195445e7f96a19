"""The consultant workspace: clients, meetings, revocation, progress, exports, deletion."""

import csv
import io
import json
import re

import pytest
from sqlalchemy import func, select

from readiness.extensions import db
from readiness.models import Assessment, AssessmentStep, Client
from readiness.pdf_cache import PdfCache
from tests.conftest import SAMPLE_ANSWERS, Consultants, Wizard


@pytest.fixture
def claire(consultants):
    consultants.create()
    consultants.login()
    return consultants


def walk(app, client, token, answers=SAMPLE_ANSWERS, notes=None):
    """Answer every step of an existing diagnostic, optionally with meeting notes."""
    wizard = Wizard(client, app.extensions["readiness"].questionnaire)
    for step_id in wizard.questionnaire.step_ids:
        data = wizard.step_answers(step_id, answers)
        if notes and step_id in notes:
            data = dict(data, note=notes[step_id])
        assert wizard.post_step(token, step_id, data).status_code == 302


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_create_and_edit_a_client(claire, client):
    client_id = claire.new_client("Garage Lenoir")
    page = client.get(f"/conseil/clients/{client_id}").get_data(as_text=True)
    assert "Garage Lenoir" in page and "Commencer en réunion" in page


def test_client_name_is_required_in_french(claire, client):
    token = claire.csrf()
    response = client.post("/conseil/clients/nouveau", data={"name": " ", "csrf_token": token})
    assert response.status_code == 422
    assert "Saisissez le nom du client." in response.get_data(as_text=True)


def test_list_searches_sorts_and_paginates(claire, client, app):
    for n in range(23):
        claire.new_client(f"Client {n:02d}")
    claire.new_client("Fleuriste Rose")
    first = client.get("/conseil/clients?tri=name").get_data(as_text=True)
    assert "Client 00" in first and "Fleuriste Rose" not in first
    assert "Page 1 sur 2 (24 clients)" in first
    second = client.get("/conseil/clients?tri=name&page=2").get_data(as_text=True)
    assert "Fleuriste Rose" in second
    found = client.get("/conseil/clients?q=fleur").get_data(as_text=True)
    assert "Fleuriste Rose" in found and "Client 01" not in found
    claire.new_client("Remise 100%")
    percent = client.get("/conseil/clients?q=%25").get_data(as_text=True)  # « % » typed
    assert "Remise 100%" in percent and "(1 client)" in percent
    underscore = client.get("/conseil/clients?q=_").get_data(as_text=True)
    assert "Aucun client ne correspond" in underscore  # « _ » is a character, not a wildcard


def test_sort_by_verdict(claire, client, app):
    ready, stuck = claire.new_client("Prête"), claire.new_client("Bloquée")
    walk(app, client, claire.new_diagnostic(ready))
    walk(
        app,
        client,
        claire.new_diagnostic(stuck),
        dict(SAMPLE_ANSWERS, who="nobody", hours_per_week=0),
    )
    for cid in (ready, stuck):
        client.get(f"/conseil/clients/{cid}")  # computes the results
    page = client.get("/conseil/clients?tri=verdict").get_data(as_text=True)
    assert page.index("Prête") < page.index("Bloquée")


def test_meeting_notes_are_saved_and_hidden_from_the_client(claire, client, app):
    client_id = claire.new_client()
    token = claire.new_diagnostic(client_id)
    assert 'name="note"' in client.get(f"/d/{token}/profile").get_data(as_text=True)
    walk(app, client, token, notes={"interest": "Veut vendre vite : recadrer."})
    assert "Veut vendre vite" in client.get(f"/d/{token}/interest").get_data(as_text=True)
    anonymous = app.test_client()
    page = anonymous.get(f"/d/{token}/interest").get_data(as_text=True)
    assert "Veut vendre vite" not in page and 'name="note"' not in page
    assert "Veut vendre vite" not in json.dumps(
        anonymous.get(f"/api/v1/assessments/{token}").get_json()
    )


def test_a_link_sent_to_the_client_shows_up_under_the_client(claire, client, app):
    client_id = claire.new_client()
    token = claire.new_diagnostic(client_id, mode="lien")
    walk(app, app.test_client(), token)  # the client fills it alone
    page = client.get(f"/conseil/clients/{client_id}").get_data(as_text=True)
    assert token in page
    assert "Diagnostic créé" in page or "Lancez-vous" in page or "Commencez petit" in page


def test_revoked_link_answers_404(claire, client, app):
    client_id = claire.new_client()
    token = claire.new_diagnostic(client_id, mode="lien")
    client.post(f"/conseil/diagnostics/{token}/revoquer", data={"csrf_token": claire.csrf()})
    assert app.test_client().get(f"/d/{token}/profile").status_code == 404
    assert app.test_client().get(f"/api/v1/assessments/{token}").status_code == 404
    with app.app_context():
        new_token = db.session.scalar(select(Assessment.token))
    assert new_token != token


def test_new_diagnostic_starts_prefilled_and_progress_is_shown(claire, client, app):
    client_id = claire.new_client()
    walk(app, client, claire.new_diagnostic(client_id))
    second = claire.new_diagnostic(client_id)
    page = client.get(f"/d/{second}/profile").get_data(as_text=True)
    assert 'value="Boulangerie Martin"' in page
    assert client.get(f"/d/{second}").location.endswith(f"/d/{second}/profile")  # not done yet
    walk(
        app,
        client,
        second,
        dict(
            SAMPLE_ANSWERS,
            hours_per_week=6,
            monthly_budget=200,
            complaint_process="written",
            promise_clarity="written",
        ),
    )
    page = client.get(f"/conseil/clients/{client_id}").get_data(as_text=True)
    assert "Progrès" in page and "Évolution" in page
    assert "+" in page.split("Évolution")[1]


def test_pdf_of_a_second_diagnostic_has_progress_branding_and_notes(claire, client, app):
    from pypdf import PdfReader

    with app.app_context():
        from readiness.models import Consultant

        account = db.session.scalar(select(Consultant))
        account.firm, account.phone = "Cabinet Durand Conseil", "01 23 45 67 89"
        db.session.commit()
    client_id = claire.new_client()
    walk(app, client, claire.new_diagnostic(client_id))
    token = claire.new_diagnostic(client_id)
    walk(
        app,
        client,
        token,
        dict(SAMPLE_ANSWERS, hours_per_week=6),
        notes={"profile": "Note privée de Claire"},
    )

    def text_of(response):
        assert response.status_code == 200, response.status_code
        return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)

    # The client's plan: no note, even when the consultant downloads it.
    client_plan = client.get(f"/d/{token}/plan.pdf")
    text = text_of(client_plan)
    assert "Cabinet Durand Conseil" in text and "Claire Durand" in text
    assert "Vos progrès" in text
    assert "Note privée de Claire" not in text and "Copie interne" not in text
    # The consultant's copy: the notes, marked as internal, under its own file name.
    internal = client.get(f"/d/{token}/plan-interne.pdf")
    internal_text = text_of(internal)
    assert "Note privée de Claire" in internal_text
    assert "COPIE INTERNE" in internal_text.upper()
    assert "copie-interne.pdf" in internal.headers["Content-Disposition"]
    assert "copie-interne" not in client_plan.headers["Content-Disposition"]
    # Anyone else holding the link gets the client's plan, and no internal copy.
    visitor = app.test_client()
    anonymous_text = text_of(visitor.get(f"/d/{token}/plan.pdf"))
    assert "Cabinet Durand Conseil" in anonymous_text
    assert "Note privée de Claire" not in anonymous_text
    assert visitor.get(f"/d/{token}/plan-interne.pdf").status_code == 404
    assert count(app, PdfCache) == 2  # both copies cached side by side, under their own keys
    assert client.get(f"/d/{token}/plan.pdf").data == client_plan.data


def test_the_result_page_offers_both_plans_to_the_consultant_only(claire, client, app):
    client_id = claire.new_client()
    token = claire.new_diagnostic(client_id)
    walk(app, client, token, notes={"profile": "Note"})
    page = client.get(f"/d/{token}/resultat").get_data(as_text=True)
    assert "Plan pour le client (PDF)" in page and "Copie interne avec mes notes" in page
    assert f"/d/{token}/plan-interne.pdf" in page
    listing = client.get(f"/conseil/clients/{client_id}").get_data(as_text=True)
    assert "Plan pour le client" in listing and f"/d/{token}/plan-interne.pdf" in listing
    visitor = app.test_client().get(f"/d/{token}/resultat").get_data(as_text=True)
    assert "plan-interne" not in visitor and "Télécharger mon plan d" in visitor


def test_exports_hold_answers_scores_verdict_and_dates(claire, client, app):
    client_id = claire.new_client()
    walk(app, client, claire.new_diagnostic(client_id))
    records = json.loads(client.get(f"/conseil/clients/{client_id}/export.json").data)
    assert len(records) == 1
    assert records[0]["answers"] == SAMPLE_ANSWERS
    assert records[0]["verdict"] in {"go", "start_small", "prepare_first", "not_now"}
    assert set(records[0]["scores"]) >= {"overall", "interest"}
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/conseil/export.csv").get_data(as_text=True).lstrip("\ufeff"))
        )
    )
    assert rows[0]["client"] == "Boulangerie Martin"
    assert rows[0]["goals"] == "loyalty | awareness"
    assert (rows[0]["premises"], rows[0]["regulated"], rows[0]["trigger"]) == (
        "shop",
        "none",
        "customers_asked",
    )
    assert rows[0]["score_overall"] == str(records[0]["scores"]["overall"])


def test_exports_leave_out_the_diagnostics_the_client_erased(claire, client, app):
    """The tombstone stays on the client page; the exports hold only diagnostics with data."""
    client_id = claire.new_client()
    erased = claire.new_diagnostic(client_id)
    walk(app, client, erased)
    kept = claire.new_diagnostic(client_id)
    walk(app, client, kept, dict(SAMPLE_ANSWERS, hours_per_week=6))
    owner = app.test_client()
    html = owner.get(f"/d/{erased}/supprimer").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert owner.post(f"/d/{erased}/supprimer", data={"csrf_token": csrf}).status_code == 302
    assert "Effacé par le client" in client.get(f"/conseil/clients/{client_id}").get_data(
        as_text=True
    )
    for url in (f"/conseil/clients/{client_id}/export.json", "/conseil/export.json"):
        records = json.loads(client.get(url).data)
        assert [r["token"] for r in records] == [kept]
    body = client.get("/conseil/export.csv").get_data(as_text=True).lstrip("\ufeff")
    [row] = list(csv.DictReader(io.StringIO(body)))
    assert row["hours_per_week"] == "6" and row["verdict"]
    # Deleting the client: the page counts the diagnostic with data, not the tombstone.
    page = client.get(f"/conseil/clients/{client_id}/supprimer").get_data(as_text=True)
    assert "Le client, son diagnostic, vos notes" in page


def test_deleting_a_client_leaves_nothing_behind(claire, client, app):
    client_id = claire.new_client()
    token = claire.new_diagnostic(client_id)
    walk(app, client, token, notes={"profile": "note"})
    assert client.get(f"/d/{token}/plan.pdf").status_code == 200
    assert count(app, PdfCache) == 1
    page = client.get(f"/conseil/clients/{client_id}/supprimer").get_data(as_text=True)
    assert "définitivement" in page
    client.post(f"/conseil/clients/{client_id}/supprimer", data={"csrf_token": claire.csrf()})
    for model in (Client, Assessment, AssessmentStep, PdfCache):
        assert count(app, model) == 0
    assert app.test_client().get(f"/d/{token}").status_code == 404


ROUTES = [
    ("get", "/conseil/clients/{id}"),
    ("get", "/conseil/clients/{id}/modifier"),
    ("post", "/conseil/clients/{id}/modifier"),
    ("get", "/conseil/clients/{id}/supprimer"),
    ("post", "/conseil/clients/{id}/supprimer"),
    ("post", "/conseil/clients/{id}/diagnostics"),
    ("get", "/conseil/clients/{id}/export.csv"),
    ("get", "/conseil/clients/{id}/export.json"),
    ("post", "/conseil/diagnostics/{token}/revoquer"),
    ("post", "/conseil/diagnostics/{token}/rendez-vous"),
    ("post", "/conseil/diagnostics/{token}/suivi"),
    ("post", "/conseil/clients/{id}/envoyer"),
    ("get", "/d/{token}/profile"),
    ("get", "/d/{token}/recapitulatif"),
    ("get", "/d/{token}/resultat"),
    ("get", "/d/{token}/plan.pdf"),
    ("get", "/d/{token}/plan-interne.pdf"),
    ("get", "/api/v1/assessments/{token}"),
]


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_another_consultant_gets_404_everywhere(app, consultants, client, method, route):
    consultants.create()
    consultants.login()
    client_id = consultants.new_client()
    token = consultants.new_diagnostic(client_id)
    intruder = app.test_client()
    other = Consultants(app, intruder)
    other.create(email="marc@autre.fr", name="Marc")
    other.login(email="marc@autre.fr", client=intruder)
    url = route.format(id=client_id, token=token)
    data = {"csrf_token": other.csrf(intruder), "name": "Piraté", "mode": "lien"}
    response = getattr(intruder, method)(url, data=data) if method == "post" else intruder.get(url)
    assert response.status_code == 404
    assert count(app, Client) == 1
    with app.app_context():
        assert db.session.scalar(select(Client.name)) == "Boulangerie Martin"
        assert db.session.scalar(select(Assessment.token)) == token
    assert "Boulangerie Martin" not in intruder.get("/conseil/clients").get_data(as_text=True)


def test_a_too_long_note_is_refused_and_nothing_is_stored(claire, client, app):
    token = claire.new_diagnostic(claire.new_client())
    wizard = Wizard(client, app.extensions["readiness"].questionnaire)
    data = dict(wizard.step_answers("profile", SAMPLE_ANSWERS), note="x" * 5001)
    response = wizard.post_step(token, "profile", data)
    assert response.status_code == 422
    assert "5000 caractères au maximum." in response.get_data(as_text=True)
    assert count(app, AssessmentStep) == 0
