"""Meetings: dates, the follow-up of a plan, a re-assessment that shows what changed, sending."""

import io
import re
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, update

from readiness import meetings, pdf
from readiness.extensions import db
from readiness.models import ActionFollowUp, Assessment, AssessmentStep, Client, ClientSending
from tests.conftest import SAMPLE_ANSWERS, Wizard
from tests.test_consultant import walk


@pytest.fixture
def claire(consultants):
    consultants.create()
    consultants.login()
    return consultants


def post_form(claire, url: str, data: dict, **options):
    """A consultant's form posted with its CSRF token, as the browser sends it."""
    return claire.client.post(url, data={**data, "csrf_token": claire.csrf()}, **options)


def pdf_text(response) -> str:
    assert response.status_code == 200, response.status_code
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def client_with_email(claire) -> int:
    """A client of Claire's with an e-mail address: the plan can be sent to it."""
    client_id = claire.new_client()
    post_form(
        claire,
        f"/conseil/clients/{client_id}/modifier",
        {"name": "Boulangerie Martin", "email": "martin@example.fr"},
    )
    return client_id


def first_plan(app, client, token) -> list[dict]:
    """The plan's actions (the result is computed when first shown)."""
    assert client.get(f"/d/{token}/resultat").status_code == 200
    with app.app_context():
        return db.session.scalar(select(Assessment).where(Assessment.token == token)).result[
            "actions"
        ]


def test_the_company_name_comes_from_the_client_record(claire, client):
    client_id = claire.new_client("Garage Lenoir")
    token = claire.new_diagnostic(client_id)
    page = client.get(f"/d/{token}/profile").get_data(as_text=True)
    assert 'value="Garage Lenoir"' in page


def test_meeting_dates_today_by_default_then_set_and_checked(claire, client, app):
    client_id = claire.new_client()
    token = claire.new_diagnostic(client_id)
    with app.app_context():
        assert db.session.scalar(select(Assessment.meeting_on)) == meetings.today()
    url = f"/conseil/diagnostics/{token}/rendez-vous"
    bad = post_form(claire, url, {"meeting_on": "2026-11-22", "next_meeting_on": "2026-11-01"})
    assert bad.status_code == 422
    assert "doit venir après celui-ci" in bad.get_data(as_text=True)
    garbage = post_form(claire, url, {"meeting_on": "demain"})
    assert garbage.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(Assessment.next_meeting_on)) is None
    ok = post_form(claire, url, {"meeting_on": "2026-11-22", "next_meeting_on": "2027-02-19"})
    assert ok.status_code == 302
    walk(app, client, token)
    page = client.get(f"/conseil/clients/{client_id}").get_data(as_text=True)
    assert "Rendez-vous du 22 novembre 2026" in page and "19 février 2027" in page
    text = pdf_text(client.get(f"/d/{token}/plan.pdf"))
    assert "Rendez-vous du 22 novembre 2026" in text
    assert "Prochain rendez-vous : 19 février 2027" in text


def test_follow_up_is_stored_and_bad_input_is_refused(claire, client, app):
    client_id = claire.new_client()
    token = claire.new_diagnostic(client_id)
    walk(app, client, token)
    actions = first_plan(app, client, token)
    page = client.get(f"/conseil/clients/{client_id}").get_data(as_text=True)
    assert "Suivi du plan n° 1" in page.replace("&nbsp;", " ")
    url = f"/conseil/diagnostics/{token}/suivi"
    first, second = actions[0]["id"], actions[1]["id"]
    bad = post_form(claire, url, {f"statut-{first}": "fini"})
    assert bad.status_code == 422 and "Choisissez un état" in bad.get_data(as_text=True)
    long = post_form(claire, url, {f"commentaire-{first}": "x" * 301})
    assert long.status_code == 422 and "300 caractères" in long.get_data(as_text=True)
    assert count(app, ActionFollowUp) == 0
    data = {
        f"statut-{first}": "done",
        f"commentaire-{first}": "Affichée en caisse",
        f"statut-{second}": "in_progress",
    }
    assert post_form(claire, url, data).status_code == 302
    with app.app_context():
        marks = meetings.follow_up_of(db.session.scalar(select(Assessment)))
    assert marks[first] == {"status": "done", "comment": "Affichée en caisse"}
    assert marks[second]["status"] == "in_progress"
    assert len(marks) == len(actions)  # the others: not started


def test_a_re_assessment_shows_what_was_done_what_changed_and_skips_done_actions(
    claire, client, app
):
    from readiness import pdf, results

    client_id = claire.new_client()
    first_token = claire.new_diagnostic(client_id)
    walk(app, client, first_token)
    done = first_plan(app, client, first_token)[0]
    post_form(claire, f"/conseil/diagnostics/{first_token}/suivi", {f"statut-{done['id']}": "done"})
    token = claire.new_diagnostic(client_id)
    walk(app, client, token, dict(SAMPLE_ANSWERS, hours_per_week=6, website="current"))
    page = client.get(f"/conseil/clients/{client_id}").get_data(as_text=True)
    assert "Depuis le diagnostic précédent" in page and "Progrès" in page
    assert "Faite" in page and done["title"] in page
    assert "Site à jour" in page or "current" not in page  # labels, never raw ids
    result_page = client.get(f"/d/{token}/resultat").get_data(as_text=True)
    assert "Depuis le diagnostic précédent" in result_page and "Les scores" in result_page
    assert "Depuis le diagnostic" not in app.test_client().get(f"/d/{token}/resultat").get_data(
        as_text=True
    )  # the client's own view of the result page: no follow-up block
    text = pdf_text(client.get(f"/d/{token}/plan.pdf"))
    assert "Depuis votre dernier rendez-vous" in text and "Vos progrès" in text
    assert "Réponse qui a changé" in text
    with app.app_context():
        assessment = db.session.scalar(select(Assessment).where(Assessment.token == token))
        report = results.build_report(assessment, results.completed_answers(assessment))
        context = pdf.plan_context(report)
    assert report["since"]["done_ids"] == [done["id"]]
    changed = {c["label"] for c in report["since"]["changed"]}
    assert len(changed) == 2
    scheduled = {t["id"] for w in context["weeks_scheduled"] for t in w["tasks"]}
    assert done["id"] not in scheduled
    assert done["title"] not in [a["title"] for a in context["wall"]["actions"]]


def test_the_client_e_mail_is_optional_and_checked(claire, client, app):
    client_id = claire.new_client()
    url = f"/conseil/clients/{client_id}/modifier"
    bad = post_form(claire, url, {"name": "Boulangerie Martin", "email": "pas-une-adresse"})
    assert bad.status_code == 422 and "adresse e-mail valide" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Client.email)) == ""
    ok = post_form(claire, url, {"name": "Boulangerie Martin", "email": "martin@example.fr"})
    assert ok.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Client.email)) == "martin@example.fr"


def test_without_mail_server_the_page_says_e_mail_is_not_configured(claire, client, app):
    client_id = claire.new_client()
    walk(app, client, claire.new_diagnostic(client_id))
    page = client.get(f"/conseil/clients/{client_id}").get_data(as_text=True)
    assert "pas configuré" in page and "Envoyer le plan et le lien" not in page
    send = f"/conseil/clients/{client_id}/envoyer"
    response = post_form(claire, send, {}, follow_redirects=True)
    assert "pas configuré" in response.get_data(as_text=True)
    assert count(app, ClientSending) == 0


def test_the_plan_and_private_link_are_e_mailed_and_recorded(claire, client, app, smtp_server):
    client_id = client_with_email(claire)
    token = claire.new_diagnostic(client_id)
    walk(app, client, token, notes={"profile": "Note privée de Claire"})
    send = f"/conseil/clients/{client_id}/envoyer"
    response = post_form(claire, send, {}, follow_redirects=True)
    assert "Envoyé à martin@example.fr" in response.get_data(as_text=True)
    [message] = smtp_server.messages
    assert message["To"] == "martin@example.fr"
    body = message.get_body(("plain",)).get_content()
    assert f"/d/{token}" in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename().startswith("plan-action-boulangerie-martin-")
    assert "copie-interne" not in attachment.get_filename()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(attachment.get_content())).pages)
    assert "Boulangerie Martin" in text and "Note privée de Claire" not in text
    page = client.get(f"/conseil/clients/{client_id}").get_data(as_text=True)
    assert "Historique des envois" in page and "martin@example.fr" in page
    with app.app_context():
        sending = db.session.scalar(select(ClientSending))
        assert sending.address == "martin@example.fr" and "lien privé" in sending.what


def test_follow_up_comment_with_nul_is_refused_in_french(claire, client, app):
    client_id = claire.new_client()
    token = claire.new_diagnostic(client_id)
    walk(app, client, token)
    first = first_plan(app, client, token)[0]["id"]
    response = post_form(
        claire, f"/conseil/diagnostics/{token}/suivi", {f"commentaire-{first}": "Fait\x00"}
    )
    assert response.status_code == 422, response.status_code
    with app.app_context():
        assert db.session.scalar(select(ActionFollowUp.comment)) is None


def test_sending_the_plan_of_a_company_name_with_a_line_separator(claire, client, app, smtp_server):
    client_id = client_with_email(claire)
    token = claire.new_diagnostic(client_id)
    # The owner (or the consultant) typed/pasted the name with a U+2028 line separator.
    walk(app, client, token, dict(SAMPLE_ANSWERS, company_name="Boulangerie\u2028Martin"))
    response = post_form(claire, f"/conseil/clients/{client_id}/envoyer", {})
    assert response.status_code == 302, response.status_code
    [message] = smtp_server.messages
    assert "Boulangerie Martin" in message["Subject"]


def test_meeting_form_after_the_client_erased_the_latest_diagnostic(claire, client, app):
    client_id = claire.new_client()
    walk(app, client, claire.new_diagnostic(client_id))
    erased = claire.new_diagnostic(client_id)
    owner = app.test_client()
    html = owner.get(f"/d/{erased}/supprimer").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert owner.post(f"/d/{erased}/supprimer", data={"csrf_token": csrf}).status_code == 302
    page = client.get(f"/conseil/clients/{client_id}").get_data(as_text=True)
    action = re.search(r'action="(/conseil/diagnostics/[^"]+/rendez-vous)"', page)
    assert action, "no meeting form"
    response = post_form(claire, action.group(1), {"meeting_on": "2026-11-22"})
    assert response.status_code != 404, "the form shown to the consultant answers 404"


def test_a_note_typed_then_previous_on_an_invalid_step_is_kept(claire, client, app):
    token = claire.new_diagnostic(claire.new_client())
    wizard = Wizard(client, app.extensions["readiness"].questionnaire)
    step_ids = wizard.questionnaire.step_ids
    walk_first = wizard.step_answers(step_ids[0], SAMPLE_ANSWERS)
    assert wizard.post_step(token, step_ids[0], walk_first).status_code == 302
    # Second step: a note typed, answers incomplete, « Précédent ».
    note = {"note": "Veut une page Instagram"}
    response = wizard.post_step(token, step_ids[1], note, nav="previous")
    assert response.status_code == 302
    page = client.get(f"/d/{token}/{step_ids[1]}").get_data(as_text=True)
    assert "Veut une page Instagram" in page


def test_consultant_pages_show_the_day_in_france_like_the_pdf(claire, client, app):
    """A diagnostic started at 00:30 in Paris on 23 November (23:30 UTC on the 22nd)."""
    client_id = claire.new_client()
    claire.new_diagnostic(client_id)
    moment = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    with app.app_context():
        db.session.execute(
            update(Assessment).values(created_at=moment, meeting_on=date(2026, 11, 23))
        )
        db.session.execute(update(Client).values(last_assessment_at=moment))
        db.session.commit()
    page = client.get(f"/conseil/clients/{client_id}").get_data(as_text=True)
    assert "Rendez-vous du 23 novembre 2026" in page
    assert "22 novembre 2026" not in page  # « Commencé le 22 novembre », the day before
    listing = client.get("/conseil/clients").get_data(as_text=True)
    assert "22 novembre 2026" not in listing


def test_a_slow_render_when_sending_the_plan_is_a_french_message(
    claire, client, app, smtp_server, monkeypatch
):
    client_id = client_with_email(claire)
    walk(app, client, claire.new_diagnostic(client_id))

    def too_slow(report):
        raise pdf.PdfTimeout("le PDF a mis trop de temps à se créer")

    monkeypatch.setattr(pdf, "render_plan", too_slow)
    response = post_form(claire, f"/conseil/clients/{client_id}/envoyer", {}, follow_redirects=True)
    assert response.status_code == 200
    assert "La création du PDF n’a pas abouti : rien n’a été envoyé." in response.text
    assert smtp_server.messages == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ClientSending)) == 0


def test_starting_in_a_meeting_twice_from_the_same_page_starts_one_diagnostic(claire, client, app):
    client_id = claire.new_client()
    page = client.get(f"/conseil/clients/{client_id}").get_data(as_text=True)
    nonces = re.findall(r'name="debut" value="([^"]+)"', page)
    assert len(set(nonces)) == 2  # one per start form
    form = {"mode": "reunion", "debut": nonces[0], "csrf_token": claire.csrf()}
    first = client.post(f"/conseil/clients/{client_id}/diagnostics", data=form)
    second = client.post(f"/conseil/clients/{client_id}/diagnostics", data=form)
    assert first.location == second.location
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assessment)) == 1
    # Another client's start form value never leads to that client's diagnostic.
    other = claire.new_client("Garage Dupont")
    third = client.post(f"/conseil/clients/{other}/diagnostics", data=form)
    assert third.location != first.location
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assessment)) == 2


def test_a_note_sent_after_the_consultant_session_ended_is_refused_and_shown_back(
    claire, client, app
):
    token = claire.new_diagnostic(claire.new_client())
    wizard = Wizard(client, app.extensions["readiness"].questionnaire)
    client.post("/deconnexion", data={"csrf_token": claire.csrf()})  # the session ends
    answers = dict(wizard.step_answers("profile", SAMPLE_ANSWERS), note="Veut Instagram")
    response = wizard.post_step(token, "profile", answers)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "rien n’a été enregistré" in page and "Veut Instagram" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AssessmentStep)) == 0
    # Without a note (the owner's own form), the step is saved as usual.
    assert wizard.post_step(token, "profile", dict(answers, note="  ")).status_code == 302


def test_an_address_the_mail_server_refuses_is_named_with_what_to_do(
    claire, client, app, ascii_smtp_server
):
    client_id = claire.new_client()
    post_form(
        claire,
        f"/conseil/clients/{client_id}/modifier",
        {"name": "Boulangerie Martin", "email": "élodie@exemple.fr"},
    )
    walk(app, client, claire.new_diagnostic(client_id))
    response = post_form(claire, f"/conseil/clients/{client_id}/envoyer", {}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "refuse l’adresse élodie@exemple.fr" in page and "réessayez" not in page
    assert ascii_smtp_server.messages == []
    assert count(app, ClientSending) == 0
