"""A whole consultant meeting in a real browser: log in, new client, wizard with notes,
result, PDF download."""

from tests.conftest import PASSWORD, SAMPLE_ANSWERS


def fill_step(page, step, answers, note=None):
    for question in step.questions:
        if question.id not in answers or not page.locator(f"[name={question.id}]").count():
            continue
        value = answers[question.id]
        if question.type in ("text", "integer"):
            page.fill(f"#{question.id}", str(value))
        elif question.type == "single":
            page.check(f"input[name={question.id}][value='{value}']")
        else:
            for item in value:
                page.check(f"input[name={question.id}][value='{item}']")
    if note:
        assert not page.is_visible("#note")  # folded: the screen can be shown to the client
        page.click("summary:has-text('Note privée')")
        page.fill("#note", note)


def test_a_consultant_runs_a_meeting(page, live_server, consultants, questionnaire, tmp_path):
    consultants.create()
    page.goto(live_server + "/connexion")
    page.fill("#email", "claire@conseil.fr")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Se connecter')")
    page.wait_for_selector("h1:has-text('Mes clients')")
    page.click("text=Nouveau client")
    page.fill("#name", "Boulangerie Martin")
    page.click("button:has-text('Enregistrer')")
    page.wait_for_selector("h1:has-text('Boulangerie Martin')")
    page.click("button:has-text('Commencer en réunion')")
    for number, step in enumerate(questionnaire.steps, start=1):
        page.wait_for_selector(f"text=Étape {number} sur 6")
        assert page.is_visible("text=Mode réunion")
        note = "Le client hésite sur le budget." if step.id == "resources" else None
        fill_step(page, step, SAMPLE_ANSWERS, note)
        page.click("button[value=next]")
    page.wait_for_selector("h1:has-text('Récapitulatif')")
    page.click("text=Voir mon résultat")
    page.wait_for_selector("text=Vos scores")
    assert page.is_visible("svg.radar")
    from pypdf import PdfReader

    texts = {}
    for label in ("Plan pour le client (PDF)", "Copie interne avec mes notes (PDF)"):
        with page.expect_download() as download_info:
            page.click(f"text={label}")
        download = download_info.value
        assert download.suggested_filename.startswith("plan-action-boulangerie-martin-")
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        texts[label] = "".join(p.extract_text() for p in PdfReader(path).pages)
    client_text, internal_text = texts.values()
    assert "Claire Durand" in client_text and "Le client hésite" not in client_text
    assert "Le client hésite sur le budget." in internal_text
    page.goto(live_server + "/conseil/clients")
    page.click("text=Boulangerie Martin")
    assert page.is_visible("button:has-text('Copier le lien')")  # static/app.js loaded under CSP
