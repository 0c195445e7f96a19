"""The owner's private link: e-mail it, resume from it, start once, erase the diagnostic."""

import re

from sqlalchemy import func, select

from readiness.community import PeerScore
from readiness.extensions import db
from readiness.models import ActionFollowUp, Assessment, AssessmentStep, Client
from readiness.pdf_cache import PdfCache
from tests.conftest import SAMPLE_ANSWERS


def _csrf(client, path="/"):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _send(client, token, email, back="resources"):
    data = {"csrf_token": _csrf(client), "email": email, "retour": back}
    return client.post(f"/d/{token}/envoyer-lien", data=data)


def test_an_address_with_an_apostrophe_gets_the_link(app, client, wizard, smtp_server):
    token = wizard.start()
    assert _send(client, token, "o'brien@exemple.fr").status_code == 302
    assert [m["To"] for m in smtp_server.messages] == ["o'brien@exemple.fr"]


def test_the_link_is_e_mailed_once_and_the_address_is_not_stored(app, client, wizard, smtp_server):
    app.config["PUBLIC_URL"] = "https://diag.example.fr"
    token = wizard.start()
    wizard.post_step(token, "profile", wizard.step_answers("profile", SAMPLE_ANSWERS))
    page = client.get(f"/d/{token}/interest").get_data(as_text=True)
    assert "M’envoyer le lien par e-mail" in page
    response = _send(client, token, "boulangerie@example.fr", back="interest")
    assert response.status_code == 302 and response.location.endswith(f"/d/{token}/interest")
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "boulangerie@example.fr"
    assert f"https://diag.example.fr/d/{token}" in message.get_content()
    assert "envoyé à boulangerie@example.fr" in client.get(response.location).get_data(as_text=True)
    with app.app_context():  # not in any column of any table
        stored = " ".join(
            str(row)
            for table in db.metadata.sorted_tables
            for row in db.session.execute(table.select())
        )
    assert "boulangerie martin" in stored.lower()  # the dump does hold the answers
    assert "boulangerie@example.fr" not in stored.lower()


def test_an_address_the_mail_server_refuses_says_so_rather_than_try_again(
    client, wizard, ascii_smtp_server
):
    """The local server, like many, has no SMTPUTF8: an address with accents cannot go."""
    token = wizard.start()
    response = _send(client, token, "élodie@exemple.fr")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "refuse cette adresse" in page and "Réessayez" not in page
    assert ascii_smtp_server.messages == []


def test_a_bad_address_gets_a_french_error_and_nothing_is_sent(client, wizard, smtp_server):
    token = wizard.start()
    response = _send(client, token, "boulangerie@")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<title>Erreur : " in html and 'id="email-erreur"' in html
    assert smtp_server.messages == []


def test_e_mails_are_limited_per_link_and_per_address(app, client, wizard, smtp_server):
    app.config.update(LINK_MAIL_LIMIT_PER_LINK="2 per hour", LINK_MAIL_LIMIT_PER_ADDRESS="3/day")
    token = wizard.start()
    assert [_send(client, token, f"a{i}@example.fr").status_code for i in range(3)] == [
        302,
        302,
        429,
    ]
    others = [wizard.start() for _ in range(3)]
    codes = [_send(client, t, "victime@example.fr").status_code for t in others]
    codes.append(_send(client, wizard.start(), "victime@example.fr").status_code)
    assert codes == [302, 302, 302, 429]
    assert len(smtp_server.messages) == 5


def test_without_a_mail_server_the_button_is_hidden(app, client, wizard):
    app.config["MAIL_SERVER"] = ""
    token = wizard.start()
    assert "M’envoyer le lien" not in client.get(f"/d/{token}/profile").get_data(as_text=True)
    assert _send(client, token, "a@example.fr").status_code == 404


def test_the_home_page_resumes_from_a_pasted_link_or_the_code_alone(app, client, wizard):
    token = wizard.start()
    wizard.post_step(token, "profile", wizard.step_answers("profile", SAMPLE_ANSWERS))
    home = client.get("/").get_data(as_text=True)
    assert "Reprendre un diagnostic" in home
    for pasted in (f"  https://autre.example/d/{token}/interest?x=1 ", token, f"/d/{token}"):
        response = client.post("/reprendre", data={"csrf_token": _csrf(client), "lien": pasted})
        assert response.status_code == 302, pasted
        assert response.location.endswith(f"/d/{token}")


def test_a_truncated_or_unknown_link_says_what_to_check(client, wizard):
    token = wizard.start()
    cases = {
        f"http://localhost/d/{token[:20]}": "incomplet",
        "A" * 32: "Aucun diagnostic ne correspond",
        "": "Collez le lien",
    }
    for pasted, expected in cases.items():
        response = client.post("/reprendre", data={"csrf_token": _csrf(client), "lien": pasted})
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert expected in html and "Page introuvable" not in html


def test_pressing_start_twice_makes_one_diagnostic(app, client):
    home = client.get("/").get_data(as_text=True)
    data = {
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', home).group(1),
        "debut": re.search(r'name="debut" value="([^"]+)"', home).group(1),
    }
    first = client.post("/commencer", data=data)
    second = client.post("/commencer", data=data)
    assert first.location == second.location
    third = client.post("/commencer", data={"csrf_token": data["csrf_token"]})
    assert third.location != first.location
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assessment)) == 2


def test_saving_a_step_says_so_and_a_completed_step_offers_the_summary(client, wizard):
    token = wizard.complete()
    page = client.get(f"/d/{token}/resources").get_data(as_text=True)
    assert "Retour au récapitulatif" in page
    answers = wizard.step_answers("resources", SAMPLE_ANSWERS)
    response = wizard.post_step(token, "resources", answers, nav="summary")
    assert response.location.endswith(f"/d/{token}/recapitulatif?enregistre=1")
    # Said by the next page's address, not by a flash: the save does not rewrite the cookie.
    assert "Set-Cookie" not in response.headers
    summary = client.get(response.location).get_data(as_text=True)
    assert "Réponses enregistrées." in summary
    assert summary.count(f'href="/d/{token}/resultat"') == 2
    assert "Réponses enregistrées." not in client.get(f"/d/{token}/recapitulatif").text
    profile = wizard.step_answers("profile", SAMPLE_ANSWERS)
    next_step = client.get(wizard.post_step(token, "profile", profile).location)
    assert "Réponses enregistrées." in next_step.text and "/interest" in next_step.request.path


def test_the_owner_erases_the_diagnostic_and_the_link_then_404s(app, client, wizard):
    token = wizard.complete()
    assert client.get(f"/d/{token}/plan.pdf").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PeerScore)) == 1
    assert "Supprimer mon diagnostic" in client.get(f"/d/{token}/resultat").get_data(as_text=True)
    confirm = client.get(f"/d/{token}/supprimer")
    assert confirm.status_code == 200 and "ne peut pas être annulé" in confirm.get_data(
        as_text=True
    )
    response = client.post(f"/d/{token}/supprimer", data={"csrf_token": _csrf(client)})
    assert response.status_code == 302
    for path in ("", "/profile", "/recapitulatif", "/resultat", "/plan.pdf"):
        assert client.get(f"/d/{token}{path}").status_code == 404
    assert client.get(f"/api/v1/assessments/{token}").status_code == 404
    with app.app_context():
        for model in (Assessment, AssessmentStep, PdfCache, PeerScore):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0


def test_a_consultant_sees_that_the_client_erased_it(app, client, consultants):
    consultants.create()
    consultants.login()
    client_id = consultants.new_client("Boulangerie Martin")
    token = consultants.new_diagnostic(client_id, mode="lien")
    with app.app_context():  # as after a meeting: the plan's follow-up, the client's verdict
        assessment = db.session.scalar(select(Assessment))
        db.session.add(ActionFollowUp(assessment_id=assessment.id, action_id="x", status="done"))
        db.session.get(Client, client_id).last_verdict = "go"
        db.session.commit()
    owner = app.test_client()
    csrf = _csrf(owner)
    assert owner.post(f"/d/{token}/supprimer", data={"csrf_token": csrf}).status_code == 302
    listing = client.get("/conseil/clients").get_data(as_text=True)
    assert "Effacé par le client" in listing
    page = client.get(f"/conseil/clients/{client_id}").get_data(as_text=True)
    assert "Effacé par le client" in page and token not in page
    with app.app_context():
        erased = db.session.scalar(select(Assessment))
        assert erased.erased_at is not None and erased.token != token
        assert erased.result is None and erased.prefill is None
        assert db.session.scalar(select(func.count()).select_from(ActionFollowUp)) == 0
        assert db.session.get(Client, client_id).last_verdict is None  # not sorted by it
